API_PATHS = {
    "/api/v1/volunteer-teams/", "/api/v1/volunteer-teams/{id}/",
    "/api/v1/volunteer-teams/{id}/join/", "/api/v1/volunteer-teams/{id}/leave/",
    "/api/v1/activities/", "/api/v1/activities/{id}/", "/api/v1/activities/{id}/records/",
    "/api/v1/activities/{id}/publish/", "/api/v1/activities/{id}/signup/",
    "/api/v1/activities/{id}/cancel_signup/", "/api/v1/activities/{id}/start/",
    "/api/v1/activities/{id}/checkin/", "/api/v1/activities/{id}/checkout/",
    "/api/v1/activities/{id}/finish/", "/api/v1/activities/{id}/review/",
    "/api/v1/activities/{id}/publicize/", "/api/v1/activities/{id}/cancel/",
}
