package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTP is the mail server e-mails are sent through.
type SMTP struct {
	Addr     string // host:port; "" keeps e-mails instead of sending them
	From     string // the From address, e.g. "Acme Orders <orders@acme.example>"
	User     string // for SMTP AUTH PLAIN; "" sends without authentication
	Password string
	Timeout  time.Duration // per e-mail, dial to QUIT; default 10s
	// Hello is the name sent with EHLO; default "localhost".
	Hello string
}

// Check reports a configuration that cannot work, for the server to refuse
// at start.
func (s SMTP) Check() error {
	if s.Addr == "" {
		return nil
	}
	if _, _, err := net.SplitHostPort(s.Addr); err != nil {
		return fmt.Errorf("SMTP server %q (OMS_SMTP_ADDR) must be host:port, e.g. smtp.example.com:587", s.Addr)
	}
	if s.From == "" {
		return errors.New("e-mails go through OMS_SMTP_ADDR but have no sender: set OMS_SMTP_FROM (e.g. orders@example.com)")
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return fmt.Errorf("OMS_SMTP_FROM %q is not an e-mail address: %v", s.From, err)
	}
	if (s.User == "") != (s.Password == "") {
		return errors.New("set both OMS_SMTP_USER and OMS_SMTP_PASSWORD, or neither")
	}
	return nil
}

// Message builds the RFC 5322 message of e: plain text, UTF-8, quoted-
// printable, with messageID as its Message-ID so that a message sent twice
// (a crash between sending and recording) is recognisably the same.
func Message(from string, e Email, messageID string, now time.Time) ([]byte, error) {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("sender %q: %w", from, err)
	}
	to := &mail.Address{Name: oneLine(e.To.Name), Address: e.To.Email}
	var b bytes.Buffer
	host := fromAddr.Address[strings.LastIndexByte(fromAddr.Address, '@')+1:]
	fmt.Fprintf(&b, "From: %s\r\n", fromAddr.String())
	fmt.Fprintf(&b, "To: %s\r\n", to.String())
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", oneLine(e.Subject)))
	fmt.Fprintf(&b, "Date: %s\r\n", now.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", messageID, host)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	w := quotedprintable.NewWriter(&b)
	if _, err := w.Write([]byte(strings.ReplaceAll(e.Body, "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}

// send delivers one message to one recipient: EHLO, STARTTLS when the
// server offers it, AUTH when configured, MAIL, RCPT, DATA, QUIT.
func (s SMTP) send(ctx context.Context, to string, msg []byte) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	conn, err := (&net.Dialer{Timeout: timeout}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	hello := s.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if s.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, host)); err != nil {
			return err
		}
	}
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return err
	}
	if err := c.Mail(from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// smtpCode is the SMTP reply code of err, or 0 when it has none (a
// network error).
func smtpCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}
