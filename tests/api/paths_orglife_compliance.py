API_PATHS = {"/api/v1/orglife/compliance/"}
