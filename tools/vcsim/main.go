// vcsim for hacalc: govmomi's vCenter simulator (simulator.VPX()) with the HA settings that Debian's
// govmomi 0.24.2 ignores in ReconfigureComputeResource_Task set directly on the model's cluster objects.
//
// It prints the SDK URL on stdout when it is ready and serves until SIGINT or SIGTERM.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// pairs is a repeatable KEY=VALUE flag.
type pairs map[string]string

func (p pairs) String() string { return fmt.Sprint(map[string]string(p)) }

func (p pairs) Set(text string) error {
	key, value := splitPair(text)
	if key == "" {
		return fmt.Errorf("want KEY=VALUE, got %q", text)
	}
	p[key] = value
	return nil
}

func splitPair(text string) (string, string) {
	i := strings.Index(text, "=")
	if i <= 0 {
		return "", ""
	}
	return text[:i], text[i+1:]
}

type haFlags struct {
	clusterGlob       string
	enabled           bool
	admission         bool
	policy            string
	failoverLevel     int
	slotCPU           int
	slotMemory        int
	cpuPercent        int
	memoryPercent     int
	autoCompute       bool
	degradation       int
	failoverHosts     string
	vmMonitoring      string
	failureInterval   int
	minUpTime         int
	maxFailures       int
	maxFailureWindow  int
	hostMonitoring    string
	isolationResponse string
	restartPriority   string
	options           pairs
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on (port 0: any free port)")
	user := flag.String("user", "", "the only user name accepted (default: any non-empty name and password)")
	password := flag.String("password", "", "the only password accepted, with -user")
	plain := flag.Bool("http", false, "serve plain HTTP instead of TLS with a self-signed certificate")
	certFile := flag.String("cert-file", "", "write the server's PEM certificate here, to test trusting it")
	version := flag.String("version", "", "vCenter version in content.about (default 6.5.0)")
	build := flag.String("build", "", "vCenter build number in content.about")

	datacenters := flag.Int("dc", 1, "datacenters")
	clusters := flag.Int("cluster", 1, "clusters per datacenter")
	hosts := flag.Int("host", 3, "hosts per cluster")
	standalone := flag.Int("standalone-host", 0, "standalone hosts per datacenter")
	machines := flag.Int("vm", 2, "VMs per cluster (and per standalone host)")
	hostMHz := flag.Int("host-cpu-mhz", 0, "every host's summary.hardware.cpuMhz (0: the simulator's 2294)")
	hostCores := flag.Int("host-cores", 0, "every host's summary.hardware.numCpuCores (0: the simulator's 2)")
	hostMemoryMB := flag.Int("host-memory-mb", 0, "every host's summary.hardware.memorySize in MiB (0: the simulator's ~4 GiB)")
	systemMHz := flag.Int("host-system-cpu-mhz", -1, "a systemResources CPU reservation on every host (-1: none, as the simulator)")
	systemMB := flag.Int("host-system-memory-mb", -1, "a systemResources memory reservation on every host (-1: none)")
	vmMemoryMB := flag.Int("vm-memory-mb", 0, "every VM's config.hardware.memoryMB (0: the simulator's 32)")
	overheads := pairs{}
	flag.Var(overheads, "vm-overhead", "VM=MB: runtime.memoryOverhead of that VM (repeatable; the simulator sets none)")

	var ha haFlags
	ha.options = pairs{}
	flag.StringVar(&ha.clusterGlob, "ha-cluster", "*", "apply the HA flags to the clusters whose names match this glob")
	flag.BoolVar(&ha.enabled, "ha", true, "dasConfig.enabled")
	flag.BoolVar(&ha.admission, "admission-control", true, "dasConfig.admissionControlEnabled")
	flag.StringVar(&ha.policy, "policy", "slot", "admission control policy: slot, percentage or failover-hosts")
	flag.IntVar(&ha.failoverLevel, "failover-level", 1, "host failures the cluster tolerates")
	flag.IntVar(&ha.slotCPU, "slot-cpu-mhz", 0, "fixed slot size, CPU (with -slot-memory-mb; 0: no fixed slot)")
	flag.IntVar(&ha.slotMemory, "slot-memory-mb", 0, "fixed slot size, memory")
	flag.IntVar(&ha.cpuPercent, "cpu-percent", 25, "percentage policy: CPU failover resources")
	flag.IntVar(&ha.memoryPercent, "memory-percent", 25, "percentage policy: memory failover resources")
	flag.BoolVar(&ha.autoCompute, "auto-compute", false, "percentage policy: autoComputePercentages")
	flag.IntVar(&ha.degradation, "performance-degradation", -1, "resourceReductionToToleratePercent (-1: unset)")
	flag.StringVar(&ha.failoverHosts, "failover-hosts", "", "failover-hosts policy: comma-separated host names")
	flag.StringVar(&ha.vmMonitoring, "vm-monitoring", "vmMonitoringDisabled", "dasConfig.vmMonitoring")
	flag.IntVar(&ha.failureInterval, "failure-interval", 30, "VM monitoring failureInterval, seconds")
	flag.IntVar(&ha.minUpTime, "min-uptime", 120, "VM monitoring minUpTime, seconds")
	flag.IntVar(&ha.maxFailures, "max-failures", 3, "VM monitoring maxFailures")
	flag.IntVar(&ha.maxFailureWindow, "max-failure-window", -1, "VM monitoring maxFailureWindow, seconds (-1: no window)")
	flag.StringVar(&ha.hostMonitoring, "host-monitoring", "enabled", "dasConfig.hostMonitoring")
	flag.StringVar(&ha.isolationResponse, "isolation-response", "none", "defaultVmSettings.isolationResponse")
	flag.StringVar(&ha.restartPriority, "restart-priority", "medium", "defaultVmSettings.restartPriority")
	flag.Var(ha.options, "option", "KEY=VALUE: a das.* advanced option (repeatable)")
	flag.Parse()

	model := simulator.VPX()
	model.Datacenter = *datacenters
	model.Cluster = *clusters
	model.ClusterHost = *hosts
	model.Host = *standalone
	model.Machine = *machines
	if *version != "" {
		model.ServiceContent.About.Version = *version
		model.ServiceContent.About.FullName = "VMware vCenter Server " + *version + " (vcsim)"
	}
	if *build != "" {
		model.ServiceContent.About.Build = *build
	}
	defer model.Remove()
	if err := model.Create(); err != nil {
		log.Fatal(err)
	}

	setHosts(*hostMHz, *hostCores, *hostMemoryMB, *systemMHz, *systemMB)
	summarizeClusters(*systemMHz, *systemMB)
	if err := setMachines(*vmMemoryMB, overheads); err != nil {
		log.Fatal(err)
	}
	if err := setHA(ha); err != nil {
		log.Fatal(err)
	}

	model.Service.Listen = &url.URL{Host: *listen}
	if *user != "" {
		model.Service.Listen.User = url.UserPassword(*user, *password)
	}
	if !*plain {
		certificate, err := selfSigned(*certFile)
		if err != nil {
			log.Fatal(err)
		}
		model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{certificate}}
	}
	server := model.Service.NewServer()
	defer server.Close()

	address := *server.URL
	address.User = nil
	fmt.Println(address.String())

	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	<-signals
}

// selfSigned makes a fresh P-256 certificate for 127.0.0.1, ::1 and localhost (the simulator's own test
// certificate has a 1024-bit key that OpenSSL refuses as too weak even when trusted), and writes it to
// certFile when one is given, so a client can trust exactly this server.
func selfSigned(certFile string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	template := x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "hacalc vcsim"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, &template, &template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	if certFile != "" {
		if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			return tls.Certificate{}, err
		}
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

func setHosts(mhz, cores, memoryMB, systemMHz, systemMB int) {
	for _, entity := range simulator.Map.All("HostSystem") {
		host := entity.(*simulator.HostSystem)
		hardware := host.Summary.Hardware
		if mhz > 0 {
			hardware.CpuMhz = int32(mhz)
			host.Hardware.CpuInfo.Hz = int64(mhz) * 1000 * 1000
		}
		if cores > 0 {
			hardware.NumCpuCores = int16(cores)
			hardware.NumCpuThreads = int16(cores)
			host.Hardware.CpuInfo.NumCpuCores = int16(cores)
			host.Hardware.CpuInfo.NumCpuThreads = int16(cores)
		}
		if memoryMB > 0 {
			hardware.MemorySize = int64(memoryMB) * 1024 * 1024
			host.Hardware.MemorySize = hardware.MemorySize
		}
		if systemMHz >= 0 || systemMB >= 0 {
			host.SystemResources = systemResources(int64(systemMHz), int64(systemMB))
		}
	}
}

// summarizeClusters recomputes each cluster's summary from its hosts' hardware as set above (the simulator
// sums it when hosts are added), with effectiveMemory in MB as the API documents it (the simulator gives bytes).
func summarizeClusters(systemMHz, systemMB int) {
	for _, entity := range simulator.Map.All("ClusterComputeResource") {
		cluster := entity.(*simulator.ClusterComputeResource)
		summary := cluster.Summary.GetComputeResourceSummary()
		summary.TotalCpu, summary.TotalMemory, summary.EffectiveCpu, summary.EffectiveMemory = 0, 0, 0, 0
		summary.NumCpuCores, summary.NumCpuThreads = 0, 0
		for _, ref := range cluster.Host {
			hardware := simulator.Map.Get(ref).(*simulator.HostSystem).Summary.Hardware
			cpu := hardware.CpuMhz * int32(hardware.NumCpuCores)
			summary.TotalCpu += cpu
			summary.TotalMemory += hardware.MemorySize
			summary.EffectiveCpu += cpu - int32(max(systemMHz, 0))
			summary.EffectiveMemory += hardware.MemorySize/(1024*1024) - int64(max(systemMB, 0))
			summary.NumCpuCores += hardware.NumCpuCores
			summary.NumCpuThreads += hardware.NumCpuThreads
		}
	}
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// systemResources is the host/system pool with the given reservations (a negative value: none).
func systemResources(mhz, mb int64) *types.HostSystemResourceInfo {
	spec := types.DefaultResourceConfigSpec()
	if mhz >= 0 {
		spec.CpuAllocation.Reservation = types.NewInt64(mhz)
	}
	if mb >= 0 {
		spec.MemoryAllocation.Reservation = types.NewInt64(mb)
	}
	return &types.HostSystemResourceInfo{Key: "host/system", Config: &spec}
}

func setMachines(memoryMB int, overheads pairs) error {
	found := map[string]bool{}
	for _, entity := range simulator.Map.All("VirtualMachine") {
		vm := entity.(*simulator.VirtualMachine)
		if memoryMB > 0 {
			vm.Config.Hardware.MemoryMB = int32(memoryMB)
			vm.Summary.Config.MemorySizeMB = int32(memoryMB)
		}
		if text, ok := overheads[vm.Name]; ok {
			mb, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return fmt.Errorf("-vm-overhead %s=%s: %v", vm.Name, text, err)
			}
			vm.Runtime.MemoryOverhead = mb * 1024 * 1024
			found[vm.Name] = true
		}
	}
	for name := range overheads {
		if !found[name] {
			return fmt.Errorf("-vm-overhead: no VM named %q", name)
		}
	}
	return nil
}

func setHA(ha haFlags) error {
	for _, entity := range simulator.Map.All("ClusterComputeResource") {
		cluster := entity.(*simulator.ClusterComputeResource)
		if matched, err := path.Match(ha.clusterGlob, cluster.Name); err != nil || !matched {
			if err != nil {
				return err
			}
			continue
		}
		config := cluster.ConfigurationEx.(*types.ClusterConfigInfoEx)
		policy, err := admissionPolicy(ha, cluster)
		if err != nil {
			return err
		}
		config.DasConfig = types.ClusterDasConfigInfo{
			Enabled:                 types.NewBool(ha.enabled),
			VmMonitoring:            ha.vmMonitoring,
			HostMonitoring:          ha.hostMonitoring,
			FailoverLevel:           int32(ha.failoverLevel),
			AdmissionControlPolicy:  policy,
			AdmissionControlEnabled: types.NewBool(ha.admission),
			DefaultVmSettings: &types.ClusterDasVmSettings{
				RestartPriority:   ha.restartPriority,
				IsolationResponse: ha.isolationResponse,
				VmToolsMonitoringSettings: &types.ClusterVmToolsMonitoringSettings{
					Enabled:          types.NewBool(ha.vmMonitoring != "vmMonitoringDisabled"),
					VmMonitoring:     ha.vmMonitoring,
					ClusterSettings:  types.NewBool(true),
					FailureInterval:  int32(ha.failureInterval),
					MinUpTime:        int32(ha.minUpTime),
					MaxFailures:      int32(ha.maxFailures),
					MaxFailureWindow: int32(ha.maxFailureWindow),
				},
			},
		}
		for key, value := range ha.options {
			config.DasConfig.Option = append(config.DasConfig.Option, &types.OptionValue{Key: key, Value: value})
		}
	}
	return nil
}

func admissionPolicy(ha haFlags, cluster *simulator.ClusterComputeResource) (types.BaseClusterDasAdmissionControlPolicy, error) {
	base := types.ClusterDasAdmissionControlPolicy{}
	if ha.degradation >= 0 {
		base.ResourceReductionToToleratePercent = types.NewInt32(int32(ha.degradation))
	}
	switch ha.policy {
	case "slot":
		policy := &types.ClusterFailoverLevelAdmissionControlPolicy{ClusterDasAdmissionControlPolicy: base, FailoverLevel: int32(ha.failoverLevel)}
		if ha.slotCPU > 0 || ha.slotMemory > 0 {
			policy.SlotPolicy = &types.ClusterFixedSizeSlotPolicy{Cpu: int32(ha.slotCPU), Memory: int32(ha.slotMemory)}
		}
		return policy, nil
	case "percentage":
		return &types.ClusterFailoverResourcesAdmissionControlPolicy{
			ClusterDasAdmissionControlPolicy: base,
			CpuFailoverResourcesPercent:      int32(ha.cpuPercent),
			MemoryFailoverResourcesPercent:   int32(ha.memoryPercent),
			FailoverLevel:                    int32(ha.failoverLevel),
			AutoComputePercentages:           types.NewBool(ha.autoCompute),
		}, nil
	case "failover-hosts":
		policy := &types.ClusterFailoverHostAdmissionControlPolicy{ClusterDasAdmissionControlPolicy: base, FailoverLevel: int32(ha.failoverLevel)}
		for _, name := range strings.Split(ha.failoverHosts, ",") {
			host := simulator.Map.FindByName(strings.TrimSpace(name), cluster.Host)
			if host == nil {
				return nil, fmt.Errorf("-failover-hosts: no host %q in %s", name, cluster.Name)
			}
			policy.FailoverHosts = append(policy.FailoverHosts, host.Reference())
		}
		return policy, nil
	}
	return nil, fmt.Errorf("-policy: want slot, percentage or failover-hosts, got %q", ha.policy)
}
