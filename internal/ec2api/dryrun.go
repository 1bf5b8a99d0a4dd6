package ec2api

import "net/http"

// DryRun checks the DryRun parameter. Call it after the request is
// validated and before anything changes: with DryRun=true it returns
// DryRunError, which is how EC2 says the request would have succeeded;
// otherwise nil (an invalid DryRun value is an error too).
func DryRun(p Params) *Error {
	on, _, err := p.Bool("DryRun")
	if err != nil {
		return err
	}
	if on {
		return DryRunError()
	}
	return nil
}

// DryRunError is EC2's answer to a DryRun request that would have
// succeeded: HTTP 412, DryRunOperation.
func DryRunError() *Error {
	return &Error{Status: http.StatusPreconditionFailed, Code: "DryRunOperation", Message: "Request would have succeeded, but DryRun flag is set."}
}
