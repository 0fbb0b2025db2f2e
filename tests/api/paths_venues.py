API_PATHS = {
    "/api/v1/venues/", "/api/v1/venues/{id}/",
    "/api/v1/bookings/", "/api/v1/bookings/{id}/",
    "/api/v1/bookings/{id}/confirm/", "/api/v1/bookings/{id}/decline/",
    "/api/v1/bookings/{id}/cancel/", "/api/v1/bookings/{id}/done/",
    "/api/v1/bookings/{id}/no_show/",
}
