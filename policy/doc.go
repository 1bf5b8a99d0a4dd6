// Package policy parses and evaluates the AWS IAM policy language the way
// Amazon S3 does for requests that arrive through AWS PrivateLink: VPC
// endpoint policies, bucket (resource-based) policies and identity-based
// policies.
//
// The package is pure and deterministic. [Parse] is strict: it rejects
// unknown fields, wrong types, conflicting elements, unknown condition
// operators and malformed values with a [*ParseError] that names the
// statement, the field and the JSON line and column. Parsing compiles every
// matcher once, so [Evaluate] allocates nothing on the common path.
//
// Evaluation follows the IAM evaluation logic:
//
//   - any explicit Deny in any attached policy wins;
//   - every VPC endpoint policy must Allow the request (it acts as a boundary
//     and never grants anything by itself);
//   - identity-based and resource-based policies grant by the usual rules:
//     in the same account either one suffices, across accounts both are
//     needed; a resource policy naming only an account delegates to that
//     account's identity policies.
//
// Every [Decision] carries its reason and the statement (index and Sid) that
// decided it, and can render the 403 AccessDenied wording S3 returns.
// [EvaluateTrace] explains, per policy and statement, why each one matched or
// not.
//
// The S3 request model ([S3Checks], [S3Operations]) maps S3 REST operations to
// the IAM actions, resource ARNs and condition keys they are authorized with.
package policy
