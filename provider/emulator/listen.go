package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// ListenAndServe serves a new Server built from opts on addr (e.g.
// "127.0.0.1:8089", or ":0" for any free port) until ctx is done, then shuts
// down gracefully and returns nil. Once listening it calls ready, when not
// nil, with the server's base URL, e.g. http://127.0.0.1:8089 (an unspecified
// listen address is reported as 127.0.0.1). It returns the error that kept it
// from listening or serving.
func ListenAndServe(ctx context.Context, addr string, opts Options, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           New(opts),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	if ready != nil {
		ready(baseURL(ln.Addr()))
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// baseURL is the http URL a client on this machine reaches addr at.
func baseURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, itoa(tcp.Port))
}
