package main

import (
	"io"
	"os"
	"strings"

	"github.com/apiql/apiql/engine"
	"github.com/apiql/apiql/provider"
	"github.com/apiql/apiql/registry"
	"github.com/apiql/apiql/shell"
)

// maskingWriter writes what it is given with the API tokens masked (***):
// the messages of a command that quotes the statements or names a user
// typed never show a token typed in them. Each Write is masked as a whole,
// so a message must reach it in one Write (fmt.Fprintf); secrets is asked
// at each Write (a token command's token is known once it has run).
type maskingWriter struct {
	w       io.Writer
	secrets func() []string
}

// maskSecrets returns w, masking the tokens secrets gives at each write.
func maskSecrets(w io.Writer, secrets func() []string) io.Writer {
	return &maskingWriter{w: w, secrets: secrets}
}

func (m *maskingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(m.w, shell.MaskSecrets(string(p), m.secrets())); err != nil {
		return 0, err
	}
	return len(p), nil
}

// envSecrets are the API tokens of the environment: the values of every
// provider's token variables and of every connection's.
func envSecrets(sess *engine.Session) []string {
	return envTokens(sess.Registry(), sess.Connections())
}

func envTokens(reg *registry.Registry, cs *provider.Connections) []string {
	var vars []string
	for _, p := range reg.Providers {
		vars = append(vars, p.Auth.TokenEnv...)
		for _, name := range cs.Names(p.Name) {
			if cn := cs.Lookup(p.Name, name); cn != nil && cn.TokenEnv != "" {
				vars = append(vars, cn.TokenEnv)
			}
		}
	}
	var secrets []string
	for _, k := range vars {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			secrets = append(secrets, v)
		}
	}
	return secrets
}

// messageSecrets returns what gives the tokens a message about sess must
// mask: the environment's, and every token command's output. Its first
// call runs the token commands not run yet (provider.Connections.
// CommandTokens): a command's token is known only once it has run, and a
// message may quote one typed in a statement before its connection was
// used. So the commands run when the first message that could quote a
// token is printed (or a shell statement is checked for the history), not
// at start.
func messageSecrets(sess *engine.Session) func() []string {
	return allTokens(sess.Registry(), sess.Connections())
}

func allTokens(reg *registry.Registry, cs *provider.Connections) func() []string {
	env := envTokens(reg, cs)
	return func() []string {
		return append(env[:len(env):len(env)], cs.CommandTokens()...)
	}
}
