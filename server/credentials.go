package server

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
)

// loadOrCreateCredentials reads the admin credential kept at path
// (AWS_ACCESS_KEY_ID=… and AWS_SECRET_ACCESS_KEY=… lines), or creates it
// with mode 0600.
func loadOrCreateCredentials(path string) (id, sec string, created bool, err error) {
	f, err := os.Open(path)
	if err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, _ := strings.Cut(strings.TrimSpace(sc.Text()), "=")
			switch k {
			case "AWS_ACCESS_KEY_ID":
				id = v
			case "AWS_SECRET_ACCESS_KEY":
				sec = v
			}
		}
		if id == "" || sec == "" {
			return "", "", false, fmt.Errorf("%s: missing AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY", path)
		}
		return id, sec, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", "", false, err
	}
	id = "AKIA" + randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	sec = randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
	body := "AWS_ACCESS_KEY_ID=" + id + "\nAWS_SECRET_ACCESS_KEY=" + sec + "\n"
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return loadOrCreateCredentials(path)
	}
	if err != nil {
		return "", "", false, err
	}
	if _, err := out.WriteString(body); err != nil {
		out.Close()
		return "", "", false, err
	}
	return id, sec, true, out.Close()
}

func randomString(alphabet string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
