// goPlugin: the "Go plugin" reference for make bench-stdio. A grpc-go server over its own
// stdin/stdout (what a Go Plakar plugin gets), serving importer.Importer/Init and
// importer.Importer/Open. Open ignores its request and streams $GO_PLUGIN_BYTES bytes as
// OpenResponse{chunk} messages of 1 MiB, all from one reused random buffer.
//
// No protoc-gen-go: a pass-through codec registered as "proto" carries pre-encoded bytes,
// and the ServiceDesc is written by hand. Builds in GOPATH mode against Debian's
// golang-google-grpc-dev (grpc-go 1.33); see build.sh.
package main

import (
	"context"
	"fmt"
	"math/rand"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
)

const chunkSize = 1 << 20

// rawCodec replaces the default "proto" codec: messages are []byte already encoded.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) {
	switch m := v.(type) {
	case []byte:
		return m, nil
	case *[]byte:
		return *m, nil
	}
	return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
}

func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*p = append((*p)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

func init() { encoding.RegisterCodec(rawCodec{}) }

// stdioConn is one net.Conn over os.Stdin/os.Stdout; closing it (EOF on stdin) ends the process.
type stdioConn struct {
	once sync.Once
	done chan struct{}
}

type stdioAddr struct{}

func (stdioAddr) Network() string { return "stdio" }
func (stdioAddr) String() string  { return "stdio" }

func (c *stdioConn) Read(b []byte) (int, error)       { return os.Stdin.Read(b) }
func (c *stdioConn) Write(b []byte) (int, error)      { return os.Stdout.Write(b) }
func (c *stdioConn) Close() error                     { c.once.Do(func() { close(c.done) }); return nil }
func (c *stdioConn) LocalAddr() net.Addr              { return stdioAddr{} }
func (c *stdioConn) RemoteAddr() net.Addr             { return stdioAddr{} }
func (c *stdioConn) SetDeadline(time.Time) error      { return nil }
func (c *stdioConn) SetReadDeadline(time.Time) error  { return nil }
func (c *stdioConn) SetWriteDeadline(time.Time) error { return nil }

// oneConnListener yields the stdio conn once, then blocks until closed.
type oneConnListener struct {
	conn   net.Conn
	given  bool
	closed chan struct{}
	once   sync.Once
}

func (l *oneConnListener) Accept() (net.Conn, error) {
	if !l.given {
		l.given = true
		return l.conn, nil
	}
	<-l.closed
	return nil, fmt.Errorf("listener closed")
}

func (l *oneConnListener) Close() error   { l.once.Do(func() { close(l.closed) }); return nil }
func (l *oneConnListener) Addr() net.Addr { return stdioAddr{} }

// encodeChunk returns OpenResponse{chunk: payload}: tag 0x0a, varint length, payload.
func encodeChunk(payload []byte) []byte {
	msg := make([]byte, 0, len(payload)+11)
	msg = append(msg, 0x0a)
	n := uint64(len(payload))
	for n >= 0x80 {
		msg = append(msg, byte(n)|0x80)
		n >>= 7
	}
	msg = append(msg, byte(n))
	return append(msg, payload...)
}

type importer interface{}

type server struct {
	total int64
	full  []byte // one encoded 1 MiB OpenResponse, sent again and again (never modified)
	data  []byte
}

func initHandler(srv interface{}, ctx context.Context, dec func(interface{}) error, _ grpc.UnaryServerInterceptor) (interface{}, error) {
	var req []byte
	if err := dec(&req); err != nil {
		return nil, err
	}
	return []byte{}, nil // empty InitResponse
}

func openHandler(srv interface{}, stream grpc.ServerStream) error {
	s := srv.(*server)
	var req []byte
	if err := stream.RecvMsg(&req); err != nil {
		return err
	}
	left := s.total
	for left >= chunkSize {
		if err := stream.SendMsg(s.full); err != nil {
			return err
		}
		left -= chunkSize
	}
	if left > 0 {
		if err := stream.SendMsg(encodeChunk(s.data[:left])); err != nil {
			return err
		}
	}
	return nil
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "importer.Importer",
	HandlerType: (*importer)(nil),
	Methods:     []grpc.MethodDesc{{MethodName: "Init", Handler: initHandler}},
	Streams:     []grpc.StreamDesc{{StreamName: "Open", Handler: openHandler, ServerStreams: true}},
	Metadata:    "importer.proto",
}

func main() {
	total := int64(4 << 30)
	if v := os.Getenv("GO_PLUGIN_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "goPlugin: bad GO_PLUGIN_BYTES %q\n", v)
			os.Exit(2)
		}
		total = n
	}
	data := make([]byte, chunkSize)
	rand.New(rand.NewSource(1)).Read(data)
	s := &server{total: total, full: encodeChunk(data), data: data}

	conn := &stdioConn{done: make(chan struct{})}
	lis := &oneConnListener{conn: conn, closed: make(chan struct{})}
	gs := grpc.NewServer()
	gs.RegisterService(&serviceDesc, s)
	go func() {
		if err := gs.Serve(lis); err != nil {
			fmt.Fprintf(os.Stderr, "goPlugin: %v\n", err)
		}
	}()
	<-conn.done // the transport closes the conn when stdin reaches EOF
	os.Exit(0)
}
