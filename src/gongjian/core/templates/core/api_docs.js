{% comment %}The stock Swagger UI set-up, run only where the page has the panel (it has none for
visitors not signed in: the schema needs an account).{% endcomment %}if (document.getElementById("swagger-ui")) {
{% include "drf_spectacular/swagger_ui.js" %}
}
