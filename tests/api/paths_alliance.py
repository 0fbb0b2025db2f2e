API_PATHS = {
    "/api/v1/alliances/", "/api/v1/alliances/{id}/", "/api/v1/alliances/{id}/members/",
    "/api/v1/meetings/", "/api/v1/meetings/{id}/", "/api/v1/meetings/{id}/hold/",
    "/api/v1/meetings/{id}/cancel/", "/api/v1/meetings/{id}/reply/",
    "/api/v1/tasks/", "/api/v1/tasks/{id}/", "/api/v1/tasks/{id}/progress/",
    "/api/v1/tasks/{id}/complete/",
    "/api/v1/agreements/", "/api/v1/agreements/{id}/", "/api/v1/agreements/{id}/sign/",
    "/api/v1/agreements/{id}/terminate/",
}
