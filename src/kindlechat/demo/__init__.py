"""The built-in emulator of the model services (demo mode and the tests): a real
loopback HTTP server. emulator.py is the server and its triggers, script.py what it
says to which message, tools.py its search, URL-context, model-list and quota
answers, wire.py the other providers' wire formats, resume.py its answer to a
continuation (and demo:sleep). It imports the provider-neutral core only, never web/.
"""
