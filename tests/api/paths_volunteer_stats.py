"""API paths of the volunteer-service figures, for the OpenAPI schema test."""

API_PATHS = {"/api/v1/volunteer-stats/", "/api/v1/volunteer-stats/volunteers/{number}/"}
