package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
)

// Blobs: the files directory's bytes, by their SHA-256, for the other
// parts of samen that keep files of their own (an expense's receipts).
// Equal bytes are stored once, whoever keeps them. Each part names the
// hashes it keeps in its own rows and answers Service.BlobInUse for them,
// so that deleting a workspace file never deletes bytes another part
// still needs; this package never reads another part's tables.

var (
	// ErrBlobTooLarge: a body was over the limit StoreBlobs was given.
	ErrBlobTooLarge = errors.New("workspace: the bytes are over the limit")
	// ErrBlobEmpty: a body held no bytes.
	ErrBlobEmpty = errors.New("workspace: no bytes")
)

// Blob is bytes in the store.
type Blob struct {
	SHA256 string
	Size   int64
	// Type is what the first bytes say the content is, as
	// http.DetectContentType sniffs it, without parameters
	// ("application/pdf", "image/png"); never what a name or a browser
	// claims.
	Type string
}

// BlobError says which of the bodies StoreBlobs was given it refused,
// and why (ErrBlobTooLarge, ErrBlobEmpty).
type BlobError struct {
	Index int
	Err   error
}

func (e *BlobError) Error() string { return fmt.Sprintf("workspace: body %d: %v", e.Index, e.Err) }

// Unwrap gives the reason.
func (e *BlobError) Unwrap() error { return e.Err }

// sniffedType is the media type, without parameters, that the first bytes
// of a file say it has.
func sniffedType(head []byte) string {
	base, _, err := mime.ParseMediaType(http.DetectContentType(head))
	if err != nil {
		return "application/octet-stream"
	}
	return base
}

// StoreBlobs reads each body (1 to limit bytes) and puts its bytes in the
// store, then calls keep with the blobs in the order of the bodies. keep
// writes the rows that name them, in its own transaction, or returns an
// error, after which the bytes nothing names are removed again (a caller
// checks what the blobs are inside keep). StoreBlobs returns keep's error.
//
// keep runs under the lock that deleting unused bytes takes, so bytes are
// never deleted between being placed and being named; as with workspace
// files, that holds within one process.
func (s *Service) StoreBlobs(ctx context.Context, bodies []io.Reader, limit int64, keep func([]Blob) error) error {
	got := make([]*received, 0, len(bodies))
	defer func() {
		for _, r := range got {
			r.discard()
		}
	}()
	blobs := make([]Blob, 0, len(bodies))
	for i, body := range bodies {
		r, err := s.receive(body, limit)
		switch {
		case errors.Is(err, errFileTooLarge):
			return &BlobError{Index: i, Err: ErrBlobTooLarge}
		case errors.Is(err, errFileEmpty):
			return &BlobError{Index: i, Err: ErrBlobEmpty}
		case err != nil:
			return err
		}
		got = append(got, r)
		blobs = append(blobs, Blob{SHA256: r.sum, Size: r.size, Type: sniffedType(r.head)})
	}
	blobLock.Lock()
	defer blobLock.Unlock()
	sums := make([]string, len(blobs))
	for i, b := range blobs {
		sums[i] = b.SHA256
	}
	err := func() error {
		for _, r := range got {
			if err := s.place(r); err != nil {
				return err
			}
		}
		return keep(blobs)
	}()
	if err != nil {
		s.unlinkUnused(ctx, sums)
	}
	return err
}

// ReleaseBlobs removes the bytes of sums that nothing names any more, once
// the rows that named them are gone (a draft expense's receipts).
func (s *Service) ReleaseBlobs(ctx context.Context, sums []string) {
	blobLock.Lock()
	defer blobLock.Unlock()
	s.unlinkUnused(ctx, sums)
}

// OpenBlob opens the bytes of a hash that StoreBlobs stored. Who may read
// them is the caller's to decide, and so is closing the file.
func (s *Service) OpenBlob(sum string) (*os.File, error) {
	if !validSum(sum) {
		return nil, fmt.Errorf("workspace: %q is not a SHA-256", sum)
	}
	return os.Open(s.blobPath(sum))
}

// validSum reports whether sum is a SHA-256 as the store names bytes:
// 64 lowercase hexadecimal digits, nothing that could leave the directory.
func validSum(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	for _, c := range sum {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
