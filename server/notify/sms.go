package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

func parseWebhookURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("notify: SMS webhook URL does not parse")
	}
	bad := func(why string) error { return fmt.Errorf("notify: SMS webhook URL %q: %s", u.Redacted(), why) }
	if u.Host == "" || u.Hostname() == "" {
		return nil, bad("must be an absolute URL with a host")
	}
	if u.Fragment != "" {
		return nil, bad("must not contain a fragment")
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return nil, bad("http is only allowed on loopback hosts; use https")
		}
	default:
		return nil, bad("scheme must be https")
	}
	return u, nil
}

func defaultHTTPClient(roots *x509.CertPool) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &http.Client{
		Timeout:   webhookTimeout,
		Transport: tr,
		// A redirect could lead from https to plain http; the webhook's URL
		// is configured, not discovered, so none is followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// smsPayload is the webhook's JSON body (CONTRACT: GATEHOUSE_SMS_WEBHOOK_URL).
type smsPayload struct {
	PhoneNumber string `json:"phone_number"`
	Message     string `json:"message"`
}

// postSMS POSTs s to the webhook; any answer but 2xx is an error. The
// response body is discarded unread: it may echo the message, and errors
// end up in logs.
func (n *Notifier) postSMS(ctx context.Context, s SMS) error {
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	body, err := json.Marshal(smsPayload{PhoneNumber: s.PhoneNumber, Message: s.Text})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.sms.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: sms webhook: %w", ErrDelivery, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "gatehouse")
	resp, err := n.http.Do(req)
	if err != nil {
		// *url.Error repeats the URL; print it redacted.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%w: sms webhook %s: %w", ErrDelivery, n.sms.Redacted(), err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: sms webhook %s answered %s", ErrDelivery, n.sms.Redacted(), resp.Status)
	}
	return nil
}
