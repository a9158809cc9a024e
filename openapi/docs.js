/* Starts Swagger UI on the OpenAPI document this server serves. A file of its
 * own, not an inline script, so /docs can forbid inline scripts in its
 * Content-Security-Policy. validatorUrl is off: it would call a public
 * validator from the reader's browser. Tags start folded: the document has
 * grown past 150 operations, and a reader opens the area it came for (a link
 * such as /docs#/News opens that tag). */
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.yaml',
    dom_id: '#docs',
    deepLinking: true,
    validatorUrl: null,
    docExpansion: 'none',
    defaultModelsExpandDepth: 0,
  });
});
