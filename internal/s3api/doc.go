// Package s3api is s3vpce's S3 layer: every S3 operation the emulator
// answers, over the one store of S3 state (internal/store).
//
// The request path:
//
//   - the emulator's gate authenticates and authorizes the request, decodes
//     and verifies its body, and builds one typed Request (operation,
//     bucket, key, parsed query, caller, request ID, clock, body);
//   - Answer looks the operation up in one table (operations, dispatch.go)
//     and calls its handler, organised by resource (bucket.go, object.go,
//     copy.go, delete.go, multipart.go, listing.go, tagging.go, acl.go,
//     config.go, policy.go);
//   - the handler reads and writes the store (h.store) and writes its
//     response, or returns its error: Answer turns store errors into S3's
//     (storeError) and writes every error with s3err.Write.
package s3api
