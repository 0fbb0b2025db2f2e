API_PATHS = {
    "/api/v1/cases/",
    "/api/v1/cases/{id}/",
    "/api/v1/cases/{id}/assign/",
    "/api/v1/cases/{id}/visit/",
    "/api/v1/cases/{id}/resolve/",
    "/api/v1/cases/{id}/rate/",
    "/api/v1/cases/{id}/close/",
    "/api/v1/cases/{id}/reopen/",
    "/api/v1/cadre-links/",
}
