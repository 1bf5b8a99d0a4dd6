// Package s3compat makes the emulator answer like Amazon S3 where gofakes3
// does not: listing, metadata, conditional requests, copies, tagging,
// bucket sub-resources, versioning and multipart rules, and error shapes.
// It sits between the emulator's gate and gofakes3: for each authenticated,
// path-style request it either answers itself (often using the gofakes3
// backend directly) or lets gofakes3 answer.
//
// Each area lives in its own files (listing.go, objects.go, copy.go,
// multipart.go, subresources.go, ...) behind one dispatcher (handler.go).
package s3api
