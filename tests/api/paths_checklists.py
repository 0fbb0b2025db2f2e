API_PATHS = {
    "/api/v1/checklist-items/",
    "/api/v1/checklist-items/{id}/",
    "/api/v1/checklist-items/{id}/claim/",
    "/api/v1/checklist-items/{id}/progress/",
    "/api/v1/checklist-items/{id}/submit/",
    "/api/v1/checklist-items/{id}/accept/",
    "/api/v1/checklist-items/{id}/send_back/",
    "/api/v1/checklist-items/{id}/rectify/",
    "/api/v1/checklist-items/{id}/apply_close/",
    "/api/v1/checklist-items/{id}/close_out/",
    "/api/v1/checklist-items/{id}/reject/",
    "/api/v1/checklist-items/{id}/extend/",
}
