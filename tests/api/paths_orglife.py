API_PATHS = {
    "/api/v1/branch-meetings/", "/api/v1/branch-meetings/{id}/",
    "/api/v1/branch-meetings/{id}/notify/", "/api/v1/branch-meetings/{id}/record/",
    "/api/v1/branch-meetings/{id}/minutes/", "/api/v1/branch-meetings/{id}/vote/",
    "/api/v1/branch-meetings/{id}/grade/", "/api/v1/branch-meetings/{id}/cancel/",
    "/api/v1/branch-makeups/", "/api/v1/branch-makeups/{id}/",
    "/api/v1/branch-makeups/{id}/confirm/",
}
