"""The API's request and response schemas (marshmallow, no Flask).

They are the service's public data contract: the HTTP layer renders them into
OpenAPI, and the service layer dumps journal and event payloads with them, so an
event's ``data`` is exactly what ``GET`` of that resource returns.
"""
