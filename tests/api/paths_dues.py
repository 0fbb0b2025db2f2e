API_PATHS = {
    "/api/v1/dues/calc/", "/api/v1/dues/ledger/", "/api/v1/dues/payments/",
    "/api/v1/dues/arrears/",
}
