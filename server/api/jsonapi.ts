// The JSON:API media type (https://jsonapi.org/format/#content-negotiation).
// Documents are built in server/api/document.ts.
export const JSONAPI_TYPE = 'application/vnd.api+json';
