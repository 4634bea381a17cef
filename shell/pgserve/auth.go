package pgserve

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	wire "github.com/jeroenrinzema/psql-wire"
	"github.com/jeroenrinzema/psql-wire/codes"
	pgerror "github.com/jeroenrinzema/psql-wire/errors"
	"github.com/jeroenrinzema/psql-wire/pkg/buffer"
	"github.com/jeroenrinzema/psql-wire/pkg/types"
)

// Authentication request codes of the protocol.
const (
	authOK           = 0
	authSASL         = 10
	authSASLContinue = 11
	authSASLFinal    = 12
)

const scramIterations = 4096

// scram is SCRAM-SHA-256 (RFC 7677) for one password: the server keeps only
// the salted keys, and the password never crosses the wire.
type scram struct {
	salt      []byte
	storedKey []byte
	serverKey []byte
}

func newSCRAM(password string) (*scram, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, scramIterations, sha256.Size)
	if err != nil {
		return nil, err
	}
	clientKey := hmacSum(salted, "Client Key")
	stored := sha256.Sum256(clientKey)
	return &scram{salt: salt, storedKey: stored[:], serverKey: hmacSum(salted, "Server Key")}, nil
}

func hmacSum(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// errAuth is the one answer to every failed authentication: it does not
// say whether the user or the password was wrong.
func authFailed(user string) error {
	return pgerror.WithSeverity(pgerror.WithCode(
		fmt.Errorf("password authentication failed for user %q", user), codes.InvalidPassword), pgerror.LevelFatal)
}

// strategy runs the SCRAM-SHA-256 exchange.
func (s *scram) strategy() wire.AuthStrategy {
	return func(ctx context.Context, w *buffer.Writer, r *buffer.Reader) (context.Context, error) {
		user := wire.ClientParameters(ctx)[wire.ParamUsername]
		fail := func() (context.Context, error) {
			err := authFailed(user)
			_ = wire.WriteUnterminatedError(w, err)
			return ctx, err
		}
		w.Start(types.ServerAuth)
		w.AddInt32(authSASL)
		w.AddString("SCRAM-SHA-256")
		w.AddNullTerminate()
		w.AddNullTerminate()
		if err := w.End(); err != nil {
			return ctx, err
		}
		// SASLInitialResponse: mechanism, length, client-first-message.
		t, _, err := r.ReadTypedMsg()
		if err != nil {
			return ctx, err
		}
		if t != types.ClientPassword {
			return fail()
		}
		mech, err := r.GetString()
		if err != nil || mech != "SCRAM-SHA-256" {
			err := pgerror.WithSeverity(pgerror.WithCode(
				fmt.Errorf("authentication method %q is not offered: apiql serve asks for SCRAM-SHA-256", mech), codes.InvalidAuthorizationSpecification), pgerror.LevelFatal)
			_ = wire.WriteUnterminatedError(w, err)
			return ctx, err
		}
		n, err := r.GetInt32()
		if err != nil {
			return ctx, err
		}
		first, err := r.GetBytes(int(n))
		if err != nil {
			return ctx, err
		}
		gs2, bare, ok := splitClientFirst(string(first))
		if !ok {
			return fail()
		}
		clientNonce := attr(bare, "r")
		if clientNonce == "" {
			return fail()
		}
		nonce := make([]byte, 18)
		if _, err := rand.Read(nonce); err != nil {
			return ctx, err
		}
		fullNonce := clientNonce + base64.StdEncoding.EncodeToString(nonce)
		serverFirst := fmt.Sprintf("r=%s,s=%s,i=%d", fullNonce, base64.StdEncoding.EncodeToString(s.salt), scramIterations)
		w.Start(types.ServerAuth)
		w.AddInt32(authSASLContinue)
		w.AddBytes([]byte(serverFirst))
		if err := w.End(); err != nil {
			return ctx, err
		}
		// SASLResponse: client-final-message.
		t, _, err = r.ReadTypedMsg()
		if err != nil {
			return ctx, err
		}
		if t != types.ClientPassword {
			return fail()
		}
		final := string(r.Msg)
		i := strings.LastIndex(final, ",p=")
		if i < 0 {
			return fail()
		}
		withoutProof := final[:i]
		proof, err := base64.StdEncoding.DecodeString(final[i+3:])
		if err != nil || len(proof) != sha256.Size {
			return fail()
		}
		if attr(withoutProof, "r") != fullNonce || attr(withoutProof, "c") != base64.StdEncoding.EncodeToString([]byte(gs2)) {
			return fail()
		}
		authMessage := bare + "," + serverFirst + "," + withoutProof
		sig := hmacSum(s.storedKey, authMessage)
		clientKey := make([]byte, len(proof))
		for k := range proof {
			clientKey[k] = proof[k] ^ sig[k]
		}
		got := sha256.Sum256(clientKey)
		if subtle.ConstantTimeCompare(got[:], s.storedKey) != 1 {
			return fail()
		}
		w.Start(types.ServerAuth)
		w.AddInt32(authSASLFinal)
		w.AddBytes([]byte("v=" + base64.StdEncoding.EncodeToString(hmacSum(s.serverKey, authMessage))))
		if err := w.End(); err != nil {
			return ctx, err
		}
		w.Start(types.ServerAuth)
		w.AddInt32(authOK)
		return ctx, w.End()
	}
}

// splitClientFirst splits "n,,n=user,r=nonce" into its GS2 header ("n,,")
// and the bare message. Channel binding ("p=") is not offered.
func splitClientFirst(msg string) (gs2, bare string, ok bool) {
	if !strings.HasPrefix(msg, "n,") && !strings.HasPrefix(msg, "y,") {
		return "", "", false
	}
	i := strings.Index(msg[2:], ",")
	if i < 0 {
		return "", "", false
	}
	return msg[:2+i+1], msg[2+i+1:], true
}

// attr returns the value of the SCRAM attribute key in a comma-separated
// message.
func attr(msg, key string) string {
	for _, part := range strings.Split(msg, ",") {
		if strings.HasPrefix(part, key+"=") {
			return part[len(key)+1:]
		}
	}
	return ""
}
