API_PATHS = {
    "/api/v1/community-reports/",
    "/api/v1/community-reports/{id}/",
    "/api/v1/community-reports/{id}/receive/",
    "/api/v1/community-reports/{id}/evaluate/",
    "/api/v1/community-reports/{id}/end/",
    "/api/v1/community-reports/{id}/withdraw/",
}
