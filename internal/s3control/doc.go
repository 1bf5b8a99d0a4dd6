// Package s3control is the S3 Control API of access points as an
// interface endpoint serves it on <account>.control.vpce-… (and
// <account>.s3-control.<region>.amazonaws.com under private DNS):
// CreateAccessPoint, GetAccessPoint, ListAccessPoints, DeleteAccessPoint,
// Put/Get/DeleteAccessPointPolicy and GetAccessPointPolicyStatus, with S3
// Control's REST-XML shapes and errors, over the store. Authentication and
// the endpoint policy are the caller's: Classify names the operation and
// the access point for the gate, Serve answers an authorised request.
package s3control
