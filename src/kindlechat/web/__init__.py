"""Everything that speaks HTTP to the page: routes.py (the route table), httpd.py (the
server and its threads), guards.py (Host, Origin, token), body.py (a request's body,
bounded), answers.py (a reply on the wire), link.py (the phone as a keyboard).

Routes call the service (service.py) and nothing below it; errors become statuses in
one place (routes.api). No module here parses a provider's wire format or names a
provider, and nothing outside web/ imports it (but __main__, which starts it).
"""
