"""API paths of demands, resources and projects (the three lists)."""

API_PATHS = {
    "/api/v1/demands/",
    "/api/v1/demands/{id}/",
    "/api/v1/demands/{id}/accept/",
    "/api/v1/demands/{id}/decline/",
    "/api/v1/demands/{id}/withdraw/",
    "/api/v1/demands/{id}/matches/",
    "/api/v1/resources/",
    "/api/v1/resources/{id}/",
    "/api/v1/resources/{id}/matches/",
    "/api/v1/projects/",
    "/api/v1/projects/{id}/",
    "/api/v1/projects/{id}/approve/",
    "/api/v1/projects/{id}/reject/",
    "/api/v1/projects/{id}/claim/",
    "/api/v1/projects/{id}/dock/",
    "/api/v1/projects/{id}/start/",
    "/api/v1/projects/{id}/progress/",
    "/api/v1/projects/{id}/accept/",
    "/api/v1/projects/{id}/close/",
    "/api/v1/projects/{id}/withdraw/",
}
