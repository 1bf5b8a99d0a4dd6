package awschunked_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/s3vpce/s3vpce/internal/awschunked"
)

func ExampleNewReader() {
	h := http.Header{}
	h.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	h.Set("Content-Encoding", "aws-chunked")
	h.Set("X-Amz-Decoded-Content-Length", "11")
	h.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	body := "6\r\nhello \r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"

	fmt.Println(awschunked.Decoding(h))
	opts, err := awschunked.OptionsFromHeader(h)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := awschunked.NewReader(strings.NewReader(body), opts)
	payload, err := io.ReadAll(r)
	fmt.Printf("%q %v\n", payload, err)
	fmt.Println(r.Trailers().Get("x-amz-checksum-crc32"))
	// Output:
	// true
	// "hello world" <nil>
	// DUoRhQ==
}

func ExampleToS3Error() {
	body := "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
	opts := awschunked.Options{Trailer: true, Trailers: []string{"x-amz-checksum-crc32"}, DecodedLength: 5}
	_, err := io.ReadAll(awschunked.NewReader(strings.NewReader(body), opts))
	e, _ := awschunked.ToS3Error(err)
	fmt.Println(e.Status, e.Code, e.Message)
	// Output:
	// 400 BadDigest The CRC32 you specified did not match the calculated checksum.
}

func ExampleChecksum() {
	h, header, err := awschunked.Checksum("CRC64NVME")
	if err != nil {
		fmt.Println(err)
		return
	}
	io.WriteString(h, "123456789")
	fmt.Println(header, awschunked.EncodeChecksum(h))
	// Output:
	// x-amz-checksum-crc64nvme rosUhgp5mIg=
}
