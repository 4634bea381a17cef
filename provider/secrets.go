package provider

import (
	"errors"
	"strings"
	"sync"

	"github.com/apiql/apiql/registry"
)

// secretSet is every token a process knows: the environment's token
// variables, each connection's token once resolved, each token command's
// output. A client and every client WithConnection makes from it share one
// set, so each masks every connection's token, not only its own (a
// statement sent through one connection may quote another's).
type secretSet struct {
	mu   sync.RWMutex
	list []string
}

// add records v (trimmed); an empty or known value is ignored.
func (s *secretSet) add(v string) {
	v = strings.TrimSpace(v)
	if s == nil || v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.list {
		if k == v {
			return
		}
	}
	s.list = append(s.list, v)
	// The longest first: a token that holds a shorter one is masked whole.
	for i := len(s.list) - 1; i > 0 && len(s.list[i]) > len(s.list[i-1]); i-- {
		s.list[i], s.list[i-1] = s.list[i-1], s.list[i]
	}
}

func (s *secretSet) all() []string {
	if s == nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string(nil), s.list...)
}

// secretsOf returns c's shared set, made on first use.
func (c *Client) secretsOf() *secretSet {
	c.secretsMu.Lock()
	defer c.secretsMu.Unlock()
	if c.secrets == nil {
		c.secrets = &secretSet{}
	}
	return c.secrets
}

// AddSecret makes c, and every client WithConnection makes from it, mask
// v (a token the process knows) in all it prints or returns.
func (c *Client) AddSecret(v string) { c.secretsOf().add(v) }

// Secrets returns the tokens c masks: those added and those resolved so far.
func (c *Client) Secrets() []string { return c.secretsOf().all() }

// mask masks the request's token and every secret of its client.
func (r *Request) mask(s string) string {
	s = Mask(s, r.token)
	for _, sec := range r.secrets.all() {
		s = Mask(s, sec)
	}
	return s
}

// maskJSON masks the request's token and every secret in the string values
// of a JSON text.
func (r *Request) maskJSON(b []byte) []byte {
	b = MaskJSON(b, r.token)
	for _, sec := range r.secrets.all() {
		b = MaskJSON(b, sec)
	}
	return b
}

// scrub removes every secret from an error's text, should a transport
// error ever quote a header or a URL.
func (r *Request) scrub(err error) error {
	if err == nil {
		return nil
	}
	if m := r.mask(err.Error()); m != err.Error() {
		return errors.New(m)
	}
	return err
}

// AddEnvSecrets makes c mask the values of every token variable it can
// know of before a request is sent: each provider's in reg and each
// connection's token_env in cs. A token command's output is added when it
// is run.
func (c *Client) AddEnvSecrets(reg *registry.Registry, cs *Connections) {
	if reg == nil {
		return
	}
	for _, p := range reg.Providers {
		for _, k := range p.Auth.TokenEnv {
			c.AddSecret(c.getenv(k))
		}
		for _, cn := range cs.For(p.Name) {
			if cn.TokenEnv != "" {
				c.AddSecret(c.getenv(cn.TokenEnv))
			}
		}
	}
	for _, prov := range cs.Providers() {
		for _, cn := range cs.For(prov) {
			if cn.TokenEnv != "" {
				c.AddSecret(c.getenv(cn.TokenEnv))
			}
		}
	}
}

// MaskSecrets masks in s every token c knows (see Mask), for messages the
// caller writes about c's requests.
func (c *Client) MaskSecrets(s string) string {
	for _, sec := range c.Secrets() {
		s = Mask(s, sec)
	}
	return s
}
