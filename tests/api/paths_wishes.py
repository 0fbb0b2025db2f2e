API_PATHS = {
    "/api/v1/wishes/", "/api/v1/wishes/{id}/",
    "/api/v1/wishes/{id}/publish/", "/api/v1/wishes/{id}/reject/",
    "/api/v1/wishes/{id}/withdraw/", "/api/v1/wishes/{id}/claim/",
    "/api/v1/wishes/{id}/release/", "/api/v1/wishes/{id}/fulfil/",
    "/api/v1/wishes/{id}/confirm/", "/api/v1/wishes/{id}/thank/",
    "/api/v1/wishes/{id}/reveal/",
    "/api/v1/wish-rounds/", "/api/v1/wish-rounds/{id}/",
}
