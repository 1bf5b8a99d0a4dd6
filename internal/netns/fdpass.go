package netns

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// SendFiles writes msg and the files' descriptors over a Unix socket.
func SendFiles(c *net.UnixConn, msg []byte, files ...*os.File) error {
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i] = int(f.Fd())
	}
	if len(msg) == 0 {
		msg = []byte{0}
	}
	n, oobn, err := c.WriteMsgUnix(msg, syscall.UnixRights(fds...), nil)
	if err != nil {
		return fmt.Errorf("netns: send descriptors: %w", err)
	}
	if n != len(msg) || oobn == 0 && len(fds) > 0 {
		return errors.New("netns: send descriptors: short write")
	}
	return nil
}

// ReceiveFiles reads one message of at most 64 KiB with up to max
// descriptors from a Unix socket.
func ReceiveFiles(c *net.UnixConn, max int) (msg []byte, files []*os.File, err error) {
	buf := make([]byte, 64<<10)
	oob := make([]byte, syscall.CmsgSpace(4*max))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return nil, nil, fmt.Errorf("netns: receive descriptors: %w", err)
	}
	if n == 0 && oobn == 0 {
		return nil, nil, fmt.Errorf("netns: receive descriptors: peer closed the socket")
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		return nil, nil, fmt.Errorf("netns: parse control message: %w", err)
	}
	for _, m := range msgs {
		fds, err := syscall.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			syscall.CloseOnExec(fd)
			files = append(files, os.NewFile(uintptr(fd), "passed-socket"))
		}
	}
	return buf[:n], files, nil
}

// Sockets are the listening sockets opened inside a namespace.
type Sockets struct {
	HTTPS  net.Listener   // TCP on every address, HTTPSPort
	DNSUDP net.PacketConn // UDP on the first resolver, port 53
	DNSTCP net.Listener   // TCP on the first resolver, port 53
	// HTTP is TCP on every address, HTTPPort, for plain HTTP; nil unless
	// Config.HTTPPort was set.
	HTTP net.Listener
}

// Close closes every socket.
func (s *Sockets) Close() error {
	var errs []error
	for _, c := range []interface{ Close() error }{s.HTTPS, s.DNSUDP, s.DNSTCP, s.HTTP} {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// socketsFromFiles turns received descriptors (HTTPS, DNS UDP, DNS TCP,
// and HTTP when there are four) into sockets; the files are closed.
func socketsFromFiles(files []*os.File) (*Sockets, error) {
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if len(files) != 3 && len(files) != 4 {
		return nil, fmt.Errorf("netns: got %d sockets from the namespace, want 3 or 4", len(files))
	}
	s := &Sockets{}
	var err error
	if s.HTTPS, err = net.FileListener(files[0]); err != nil {
		return nil, fmt.Errorf("netns: https socket: %w", err)
	}
	if s.DNSUDP, err = net.FilePacketConn(files[1]); err != nil {
		s.Close()
		return nil, fmt.Errorf("netns: dns udp socket: %w", err)
	}
	if s.DNSTCP, err = net.FileListener(files[2]); err != nil {
		s.Close()
		return nil, fmt.Errorf("netns: dns tcp socket: %w", err)
	}
	if len(files) == 4 {
		if s.HTTP, err = net.FileListener(files[3]); err != nil {
			s.Close()
			return nil, fmt.Errorf("netns: http socket: %w", err)
		}
	}
	return s, nil
}

// SocketsFromFiles is socketsFromFiles for callers that received the
// descriptors themselves (the serve side of an attach).
func SocketsFromFiles(files []*os.File) (*Sockets, error) { return socketsFromFiles(files) }

// Files returns dup'd descriptors of the sockets, in the order
// SocketsFromFiles expects: HTTPS, DNS UDP, DNS TCP, then HTTP if there
// is one. The caller closes them.
func (s *Sockets) Files() ([]*os.File, error) {
	if s.HTTP != nil {
		return filesOf(s.HTTPS, s.DNSUDP, s.DNSTCP, s.HTTP)
	}
	return filesOf(s.HTTPS, s.DNSUDP, s.DNSTCP)
}

// DNSFiles returns dup'd descriptors of the DNS sockets alone (UDP, TCP),
// in the order DNSSocketsFromFiles expects. The caller closes them.
func (s *Sockets) DNSFiles() ([]*os.File, error) { return filesOf(s.DNSUDP, s.DNSTCP) }

func filesOf(conns ...any) ([]*os.File, error) {
	var out []*os.File
	for _, c := range conns {
		fc, ok := c.(interface{ File() (*os.File, error) })
		if !ok {
			closeFiles(out)
			return nil, fmt.Errorf("netns: socket %T has no descriptor", c)
		}
		f, err := fc.File()
		if err != nil {
			closeFiles(out)
			return nil, fmt.Errorf("netns: socket descriptor: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
}

// DNSSocketsFromFiles turns received descriptors (DNS UDP, DNS TCP) into
// Sockets without HTTPS; the files are closed.
func DNSSocketsFromFiles(files []*os.File) (*Sockets, error) { return dnsSocketsFromFiles(files) }

func dnsSocketsFromFiles(files []*os.File) (*Sockets, error) {
	defer closeFiles(files)
	if len(files) != 2 {
		return nil, fmt.Errorf("netns: got %d DNS sockets from the namespace, want 2", len(files))
	}
	s := &Sockets{}
	var err error
	if s.DNSUDP, err = net.FilePacketConn(files[0]); err != nil {
		return nil, fmt.Errorf("netns: dns udp socket: %w", err)
	}
	if s.DNSTCP, err = net.FileListener(files[1]); err != nil {
		s.Close()
		return nil, fmt.Errorf("netns: dns tcp socket: %w", err)
	}
	return s, nil
}
