package main

import (
	"io"

	"github.com/apiql/apiql/shell"
)

// maskingWriter writes what it is given with the environment's tokens
// masked (***): the messages of a command that quotes the statements or
// names a user typed never show a token typed in them. Each Write is
// masked as a whole, so a message must reach it in one Write (fmt.Fprintf).
type maskingWriter struct {
	w       io.Writer
	secrets []string
}

// maskSecrets returns w, masking secrets; w itself when there are none.
func maskSecrets(w io.Writer, secrets []string) io.Writer {
	if len(secrets) == 0 {
		return w
	}
	return &maskingWriter{w: w, secrets: secrets}
}

func (m *maskingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(m.w, shell.MaskSecrets(string(p), m.secrets)); err != nil {
		return 0, err
	}
	return len(p), nil
}
