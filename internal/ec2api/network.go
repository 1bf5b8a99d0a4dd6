package ec2api

// networkActions are the VPC network actions.
func networkActions() map[string]actionFunc {
	return map[string]actionFunc{}
}
