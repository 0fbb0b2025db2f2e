API_PATHS = {"/api/v1/circle/", "/api/v1/circle/suggest/"}
