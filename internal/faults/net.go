package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// UnavailableError means the machine cannot inject a fault: no CAP_NET_ADMIN,
// no nft or iptables, no sch_netem. Tests skip on it with Reason.
type UnavailableError struct {
	Op     string // the netfault command, such as "netem"
	Reason string // netfault's explanation
}

// Error names the command and why it cannot run.
func (e *UnavailableError) Error() string { return "netfault " + e.Op + ": " + e.Reason }

// CommandError is a netfault command that failed for another reason.
type CommandError struct {
	Args   []string
	Code   int // exit status, -1 when it did not run
	Output string
	Err    error
}

// Error names the command and its output.
func (e *CommandError) Error() string {
	return fmt.Sprintf("netfault %s: exit %d: %s", strings.Join(e.Args, " "), e.Code, strings.TrimSpace(e.Output))
}

// Unwrap returns the error from running the command.
func (e *CommandError) Unwrap() error { return e.Err }

// Net injects network faults with scripts/netfault. Its methods are safe for
// concurrent use; each one runs the script once, bounded by ctx and by a
// minute.
type Net struct {
	// Script is the path of scripts/netfault.
	Script string
}

// Check reports whether packet filtering works here (nil), or why not
// (*UnavailableError). NetemReason is empty when tc netem works, else why
// it does not.
func (n *Net) Check(ctx context.Context) (netemReason string, err error) {
	out, err := n.run(ctx, "check")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(out, "\n") {
		if r, ok := strings.CutPrefix(line, "netem: unavailable: "); ok {
			return r, nil
		}
	}
	return "", nil
}

// Partition drops every TCP packet to or from ip:9042 in both directions,
// so the client's connections to that node hang rather than reset.
func (n *Net) Partition(ctx context.Context, ip netip.Addr) error {
	_, err := n.run(ctx, "partition", ip.String())
	return err
}

// Heal undoes Partition.
func (n *Net) Heal(ctx context.Context, ip netip.Addr) error {
	_, err := n.run(ctx, "heal", ip.String())
	return err
}

// BlockPort drops every TCP packet to or from ip:port.
func (n *Net) BlockPort(ctx context.Context, ip netip.Addr, port int) error {
	_, err := n.run(ctx, "block-port", ip.String(), strconv.Itoa(port))
	return err
}

// UnblockPort undoes BlockPort.
func (n *Net) UnblockPort(ctx context.Context, ip netip.Addr, port int) error {
	_, err := n.run(ctx, "unblock-port", ip.String(), strconv.Itoa(port))
	return err
}

// Isolate blocks ip:port both ways like BlockPort and also drops the TCP
// connections that process pid (the node listening on ip:port) opens to
// port on other loopback addresses: Cassandra dials its peers from
// 127.0.0.1, so addresses cannot tell its connections from its peers'. The
// open ones are dropped by 4-tuple; for new ones netfault moves the process
// into the cgroup v2 cqlgo_faults, matched by the packet filter, until
// Unisolate or Clean moves it back.
func (n *Net) Isolate(ctx context.Context, ip netip.Addr, port, pid int) error {
	_, err := n.run(ctx, "isolate", ip.String(), strconv.Itoa(port), strconv.Itoa(pid))
	return err
}

// Unisolate undoes Isolate.
func (n *Net) Unisolate(ctx context.Context, ip netip.Addr, port int) error {
	_, err := n.run(ctx, "unisolate", ip.String(), strconv.Itoa(port))
	return err
}

// Netem delays every TCP packet sent to ip by delay and drops lossPct
// percent of them, with tc netem on lo. It fails with *UnavailableError when
// the kernel has no sch_netem.
func (n *Net) Netem(ctx context.Context, ip netip.Addr, delay time.Duration, lossPct int) error {
	_, err := n.run(ctx, "netem", ip.String(), strconv.FormatInt(delay.Milliseconds(), 10), strconv.Itoa(lossPct))
	return err
}

// ClearNetem undoes Netem.
func (n *Net) ClearNetem(ctx context.Context, ip netip.Addr) error {
	_, err := n.run(ctx, "clear-netem", ip.String())
	return err
}

// Loss drops pct percent of the TCP packets sent to ip:9042, with the
// packet filter (no netem needed).
func (n *Net) Loss(ctx context.Context, ip netip.Addr, pct int) error {
	_, err := n.run(ctx, "loss", ip.String(), strconv.Itoa(pct))
	return err
}

// ClearLoss undoes Loss.
func (n *Net) ClearLoss(ctx context.Context, ip netip.Addr) error {
	_, err := n.run(ctx, "clear-loss", ip.String())
	return err
}

// Redirect sends new TCP connections to ip:port, except those made from ip
// itself, to 127.0.0.1:toPort: a DelayProxy that dials the node from its own
// address gets the client's connections to that node.
func (n *Net) Redirect(ctx context.Context, ip netip.Addr, port, toPort int) error {
	_, err := n.run(ctx, "redirect", ip.String(), strconv.Itoa(port), strconv.Itoa(toPort))
	return err
}

// ClearRedirect undoes Redirect.
func (n *Net) ClearRedirect(ctx context.Context, ip netip.Addr, port int) error {
	_, err := n.run(ctx, "clear-redirect", ip.String(), strconv.Itoa(port))
	return err
}

// Clean removes every rule and qdisc netfault could have created.
func (n *Net) Clean(ctx context.Context) error {
	_, err := n.run(ctx, "clean")
	return err
}

// Status returns netfault's description of the faults in force.
func (n *Net) Status(ctx context.Context) (string, error) { return n.run(ctx, "status") }

func (n *Net) run(ctx context.Context, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, n.Script, args...)
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if err == nil {
		return out.String(), nil
	}
	code := -1
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	if code == 3 {
		reason := strings.TrimSpace(out.String())
		if i := strings.LastIndex(reason, "netfault: unavailable: "); i >= 0 {
			reason = reason[i+len("netfault: unavailable: "):]
		}
		return "", &UnavailableError{Op: args[0], Reason: reason}
	}
	return "", &CommandError{Args: args, Code: code, Output: out.String(), Err: err}
}
