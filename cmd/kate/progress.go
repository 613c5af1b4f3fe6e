package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/kate-web/kate/kate"
)

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newProgressPrinter returns a kate.TrainOptions.Progress callback writing
// to w. When w is a terminal it keeps a live one-line progress bar (epoch,
// batch, losses, docs/s, ETA), rewritten in place with "\r", and leaves
// one line per finished epoch; otherwise it writes one plain line per
// finished epoch. The ETA assumes every epoch runs; early stopping usually
// ends sooner.
func newProgressPrinter(w io.Writer) func(kate.Progress) {
	return progressPrinter(w, isTerminal(w))
}

func progressPrinter(w io.Writer, live bool) func(kate.Progress) {
	return func(p kate.Progress) {
		if !live {
			if p.EpochDone {
				fmt.Fprintln(w, progressLine(p, false))
			}
			return
		}
		// "\x1b[K" clears the rest of the line left by a longer previous one.
		end := ""
		if p.EpochDone {
			end = "\n"
		}
		fmt.Fprintf(w, "\r%s\x1b[K%s", progressLine(p, true), end)
	}
}

// progressLine formats one report; bar adds a bar of the epoch's batches.
func progressLine(p kate.Progress, bar bool) string {
	var b strings.Builder
	width := len(fmt.Sprint(p.Epochs))
	fmt.Fprintf(&b, "epoch %*d/%d", width, p.Epoch, p.Epochs)
	if bar && p.Batches > 0 {
		const n = 20
		fill := p.Batch * n / p.Batches
		fmt.Fprintf(&b, " [%s%s] %*d/%d", strings.Repeat("=", fill), strings.Repeat(" ", n-fill),
			len(fmt.Sprint(p.Batches)), p.Batch, p.Batches)
	}
	fmt.Fprintf(&b, "  loss %s", fmtLoss(p.Loss))
	if p.EpochDone {
		fmt.Fprintf(&b, "  val %s", fmtLoss(p.ValLoss))
		if p.BestEpoch > 0 {
			fmt.Fprintf(&b, " (best %s @%d)", fmtLoss(p.BestValLoss), p.BestEpoch)
		}
		fmt.Fprintf(&b, "  lr %.3g", p.LearningRate)
	}
	fmt.Fprintf(&b, "  %s docs/s", fmtRate(p.DocsPerSecond))
	if p.Stopping {
		fmt.Fprintf(&b, "  done in %s", fmtDuration(p.Elapsed))
	} else if eta, ok := progressETA(p); ok {
		fmt.Fprintf(&b, "  ETA %s", fmtDuration(eta))
	}
	return b.String()
}

// progressETA estimates the time left if every epoch runs.
func progressETA(p kate.Progress) (time.Duration, bool) {
	done := float64(p.Epoch - 1)
	if p.EpochDone {
		done = float64(p.Epoch)
	} else if p.Batches > 0 {
		done += float64(p.Batch) / float64(p.Batches)
	}
	if done <= 0 || p.Elapsed <= 0 || p.Epochs <= 0 {
		return 0, false
	}
	left := float64(p.Elapsed) * (float64(p.Epochs) - done) / done
	if left < 0 || math.IsInf(left, 0) || math.IsNaN(left) {
		return 0, false
	}
	return time.Duration(left), true
}

func fmtLoss(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.5f", v)
}

func fmtRate(v float64) string {
	if math.IsNaN(v) || v <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", v)
}

// fmtDuration rounds d for display: 950ms, 12.3s, 4m05s, 1h02m.
func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		s := int(d.Round(time.Second).Seconds())
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	m := int(d.Round(time.Minute).Minutes())
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}
