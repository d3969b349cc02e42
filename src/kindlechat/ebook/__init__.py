"""A chat written as a book the Kindle lists: chat_book.py (the book and its file
name), html.py (the chat's Markdown as the reader's HTML), mobi.py (PDB/MOBI/EXTH
headers), palmdoc.py (PalmDOC compression). Pure: bytes in, bytes out; where the
book is saved is library/'s business.
"""
