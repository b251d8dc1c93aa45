package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// leanGet repeats one GET over one keep-alive HTTP/1.1 connection, the way
// wrk does: the request's bytes are made once, and of the response only the
// status line and the headers that frame the body are parsed; the body is
// read to its end and dropped. net/http's client costs about as much CPU
// per request as the server's discovery and JWKS handlers, and the tool
// shares the machine's cores with the server, so for these scenarios it
// would measure itself. A request counts only once its whole response has
// been read.
type leanGet struct {
	addr    string // host:port to dial
	path    string // for error messages
	req     []byte
	timeout time.Duration // per request, from writing to the body's end

	conn   net.Conn
	br     *bufio.Reader
	reused bool // conn has carried a response already
	// errBody keeps the start of a refused response's body for the error.
	errBody []byte
}

// errLeanFraming is a response this client cannot frame; the connection is
// dropped.
var errLeanFraming = errors.New("lean client")

// newLeanGet prepares GET u (with a bearer token when given). It speaks
// plain HTTP only.
func newLeanGet(u, bearer string, timeout time.Duration) (*leanGet, error) {
	p, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	if p.Scheme != "http" {
		return nil, fmt.Errorf("lean client: %s: only http:// URLs (use -lean=false)", u)
	}
	addr := p.Host
	if p.Port() == "" {
		addr = net.JoinHostPort(p.Hostname(), "80")
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: gatehouse-load\r\n", p.RequestURI(), p.Host)
	if bearer != "" {
		fmt.Fprintf(&b, "Authorization: Bearer %s\r\n", bearer)
	}
	b.WriteString("\r\n")
	return &leanGet{addr: addr, path: p.Path, req: b.Bytes(), timeout: timeout}, nil
}

// get sends the request and reads the whole response; it wants 200. A
// failure closes the connection, and the next get dials a new one.
func (g *leanGet) get() error {
	err := g.try()
	if err != nil && g.reused && errors.Is(err, errStale) {
		// The server closed a kept-alive connection before this request
		// reached it (an idle timeout): as net/http does for an idempotent
		// request, try once more on a fresh connection.
		err = g.try()
	}
	return err
}

// errStale is a reused connection that ended before any byte of a
// response.
var errStale = errors.New("kept-alive connection closed before the response")

func (g *leanGet) try() error {
	if g.conn == nil {
		c, err := net.DialTimeout("tcp", g.addr, 5*time.Second)
		if err != nil {
			return err
		}
		g.conn, g.reused = c, false
		if g.br == nil {
			g.br = bufio.NewReaderSize(c, 16<<10)
		} else {
			g.br.Reset(c)
		}
	}
	status, keep, err := g.exchange()
	if err != nil {
		g.close()
		return err
	}
	g.reused = true
	if !keep {
		g.close()
	}
	if status != 200 {
		return fmt.Errorf("GET %s: HTTP %d: %.200s", g.path, status, g.errBody)
	}
	return nil
}

// exchange writes the request and reads the response; keep says whether
// the connection may carry the next request.
func (g *leanGet) exchange() (status int, keep bool, err error) {
	if err := g.conn.SetDeadline(time.Now().Add(g.timeout)); err != nil {
		return 0, false, err
	}
	if _, err := g.conn.Write(g.req); err != nil {
		if g.reused && isClosed(err) {
			return 0, false, fmt.Errorf("%w: %v", errStale, err)
		}
		return 0, false, err
	}
	line, err := g.br.ReadSlice('\n')
	if err != nil {
		if g.reused && len(line) == 0 && isClosed(err) {
			return 0, false, fmt.Errorf("%w: %v", errStale, err)
		}
		return 0, false, noEOF(err)
	}
	// "HTTP/1.x NNN reason"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, false, fmt.Errorf("%w: bad status line %.40q", errLeanFraming, line)
	}
	http10 := line[7] == '0'
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil || status < 100 {
		return 0, false, fmt.Errorf("%w: bad status line %.40q", errLeanFraming, line)
	}
	if status < 200 {
		return 0, false, fmt.Errorf("%w: informational response %d", errLeanFraming, status)
	}
	length, chunked, keep := int64(-1), false, !http10
	for {
		h, err := g.br.ReadSlice('\n')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				return 0, false, fmt.Errorf("%w: header line over %d bytes", errLeanFraming, g.br.Size())
			}
			return 0, false, noEOF(err)
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return 0, false, fmt.Errorf("%w: bad header line %.40q", errLeanFraming, h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 || (length >= 0 && n != length) {
				return 0, false, fmt.Errorf("%w: bad Content-Length %q", errLeanFraming, value)
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			if !bytes.EqualFold(value, []byte("chunked")) {
				return 0, false, fmt.Errorf("%w: Transfer-Encoding %q not supported", errLeanFraming, value)
			}
			chunked = true
		case bytes.EqualFold(name, []byte("Connection")):
			switch {
			case bytes.EqualFold(value, []byte("close")):
				keep = false
			case bytes.EqualFold(value, []byte("keep-alive")):
				keep = true
			}
		}
	}
	g.errBody = g.errBody[:0]
	capture := status != 200
	switch {
	case status == 204 || status == 304:
		// no body
	case chunked:
		err = g.chunks(capture)
	case length >= 0:
		err = g.skip(length, capture)
	default:
		// No framing: the body runs to the connection's end.
		keep = false
		err = g.skip(-1, capture)
	}
	if err != nil {
		return 0, false, err
	}
	return status, keep, nil
}

// chunks reads a chunked body and its trailers.
func (g *leanGet) chunks(capture bool) error {
	for {
		line, err := g.br.ReadSlice('\n')
		if err != nil {
			return noEOF(err)
		}
		size, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%w: bad chunk size %.20q", errLeanFraming, line)
		}
		if n == 0 {
			break
		}
		if err := g.skip(n, capture); err != nil {
			return err
		}
		if crlf, err := g.br.ReadSlice('\n'); err != nil || len(bytes.TrimRight(crlf, "\r\n")) != 0 {
			if err != nil {
				return noEOF(err)
			}
			return fmt.Errorf("%w: chunk without its CRLF", errLeanFraming)
		}
	}
	for { // trailers, up to the empty line
		line, err := g.br.ReadSlice('\n')
		if err != nil {
			return noEOF(err)
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return nil
		}
	}
}

// skip drops n bytes of body (n < 0: up to EOF), keeping the first 200 in
// errBody when capture is set.
func (g *leanGet) skip(n int64, capture bool) error {
	if capture && len(g.errBody) < 200 {
		want := 200 - len(g.errBody)
		if n >= 0 {
			want = int(min(int64(want), n))
		}
		b, err := g.br.Peek(want)
		g.errBody = append(g.errBody, b...)
		if err != nil && !(n < 0 && err == io.EOF) {
			return noEOF(err)
		}
	}
	if n < 0 {
		_, err := io.Copy(io.Discard, g.br)
		return err
	}
	for n > 0 {
		d, err := g.br.Discard(int(min(n, 1<<30)))
		n -= int64(d)
		if err != nil {
			return noEOF(err)
		}
	}
	return nil
}

func (g *leanGet) close() {
	if g.conn != nil {
		g.conn.Close()
		g.conn = nil
	}
}

// noEOF reports a response cut short as such.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// isClosed is the peer having closed the connection.
func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
