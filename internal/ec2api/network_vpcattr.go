package ec2api

import (
	"encoding/xml"
	"slices"

	"github.com/s3vpce/s3vpce/internal/vpce"
)

// The VPC attributes EC2's ModifyVpcAttribute / DescribeVpcAttribute
// know that the model holds.
const (
	attrDNSSupport   = "enableDnsSupport"
	attrDNSHostnames = "enableDnsHostnames"
)

// vpcIn finds the VpcId parameter's VPC in s.
func vpcIn(s *vpce.Spec, p Params) (*vpce.VPC, *Error) {
	id := p.String("VpcId")
	if id == "" {
		return nil, missingParameter("VpcId")
	}
	i := slices.IndexFunc(s.VPCs, func(v vpce.VPC) bool { return v.ID == id })
	if i < 0 {
		return nil, missingIDs("InvalidVpcID.NotFound", "vpc", []string{id})
	}
	return &s.VPCs[i], nil
}

// modifyVpcAttribute sets enableDnsSupport or enableDnsHostnames (one per
// call, as EC2 requires). Turning either off while an interface endpoint
// of the VPC has private DNS is refused by the model, as EC2 refuses it.
func modifyVpcAttribute(h *Handler, req *Request) (any, *Error) {
	p := req.Params
	support, hasSupport, err := p.Bool("EnableDnsSupport.Value")
	if err != nil {
		return nil, err
	}
	hostnames, hasHostnames, err := p.Bool("EnableDnsHostnames.Value")
	if err != nil {
		return nil, err
	}
	switch {
	case hasSupport && hasHostnames:
		return nil, Errorf("InvalidParameterCombination", "Only one attribute can be modified at a time")
	case !hasSupport && !hasHostnames:
		return nil, missingParameter("EnableDnsSupport or EnableDnsHostnames")
	}
	cerr := h.change(p, func(s *vpce.Spec) *Error {
		v, err := vpcIn(s, p)
		if err != nil {
			return err
		}
		if hasSupport {
			v.EnableDNSSupport = support
		} else {
			v.EnableDNSHostnames = hostnames
		}
		return nil
	})
	if cerr != nil {
		return nil, cerr
	}
	return returnTrue(req), nil
}

// attributeValue is EC2's <attr><value>…</value></attr>.
type attributeValue struct {
	Value bool `xml:"value"`
}

// describeVpcAttributeResponse is DescribeVpcAttribute's answer: the VPC
// and the one attribute asked for.
type describeVpcAttributeResponse struct {
	XMLName xml.Name `xml:"DescribeVpcAttributeResponse"`
	Meta
	VpcID              string          `xml:"vpcId"`
	EnableDNSSupport   *attributeValue `xml:"enableDnsSupport,omitempty"`
	EnableDNSHostnames *attributeValue `xml:"enableDnsHostnames,omitempty"`
}

func describeVpcAttribute(h *Handler, req *Request) (any, *Error) {
	p := req.Params
	s := h.b.Topology().Spec()
	v, err := vpcIn(&s, p)
	if err != nil {
		return nil, err
	}
	if err := DryRun(p); err != nil {
		return nil, err
	}
	resp := &describeVpcAttributeResponse{Meta: NewMeta(req), VpcID: v.ID}
	switch a := p.String("Attribute"); a {
	case attrDNSSupport:
		resp.EnableDNSSupport = &attributeValue{v.EnableDNSSupport}
	case attrDNSHostnames:
		resp.EnableDNSHostnames = &attributeValue{v.EnableDNSHostnames}
	case "":
		return nil, missingParameter("Attribute")
	default:
		return nil, Errorf("InvalidParameterValue", "Value (%s) for parameter attribute is invalid. Unknown attribute.", a)
	}
	return resp, nil
}
