"""Answering a survey page by page, shared by the web (``respond``) and the kiosk: the page
flow, the page forms and residents' error messages. Staff paper entry uses the forms too."""
