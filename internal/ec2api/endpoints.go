package ec2api

// endpointActions are the VPC endpoint actions.
func endpointActions() map[string]actionFunc {
	return map[string]actionFunc{}
}
