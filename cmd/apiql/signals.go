package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// stopSignals are the signals that stop a run as Ctrl-C does: the
// running statement's calls are cancelled, what was done is reported,
// and apiql exits with 128 + the signal's number (130, 143, 129).
var stopSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP}

// signalError is the cause of a context cancelled by a signal.
type signalError struct{ sig syscall.Signal }

func (e signalError) Error() string { return "cancelled by " + signalName(e.sig) }

// signalName is SIGINT, SIGTERM or SIGHUP.
func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT (Ctrl-C)"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return fmt.Sprintf("signal %d", int(s))
}

// stoppable returns a context that the first of stopSignals cancels, with
// a signalError as its cause; got returns that signal (0 until one came)
// and stop stops listening.
func stoppable(parent context.Context) (ctx context.Context, got func() syscall.Signal, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, stopSignals...)
	var (
		mu  sync.Mutex
		sig syscall.Signal
	)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			mu.Lock()
			sig, _ = s.(syscall.Signal)
			mu.Unlock()
			cancel(signalError{sig})
		case <-done:
		}
	}()
	got = func() syscall.Signal {
		mu.Lock()
		defer mu.Unlock()
		return sig
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			signal.Stop(ch)
			close(done)
			cancel(nil)
		})
	}
	return ctx, got, stop
}
