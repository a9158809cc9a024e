/* Starts Swagger UI on the OpenAPI document this server serves. A file of its
 * own, not an inline script, so /docs can forbid inline scripts in its
 * Content-Security-Policy. validatorUrl is off: it would call a public
 * validator from the reader's browser. */
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.yaml',
    dom_id: '#docs',
    deepLinking: true,
    validatorUrl: null,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
  });
});
