import { expect } from 'chai';
import { type Options, OptionsError, parseOptions } from '../../src/options.ts';

/** The flags every run needs. */
const REQUIRED = [
  '--kcp-kubeconfig=/etc/kcp/kubeconfig',
  '--namespace=kcp-system',
  '--apiexportendpointslice-ref=example-slice',
];

describe('parseOptions', function () {
  const cases: {
    name: string;
    argv: string[];
    expected: Partial<Omit<Options, 'disabledControllers'>> & { disabledControllers?: string[] };
  }[] = [
    {
      name: 'the flags of an upstream Deployment are accepted as they are, including --enable-leader-election=false',
      argv: [
        '--kcp-kubeconfig=/var/run/secrets/kcp/kubeconfig',
        '--namespace=kcp-system',
        '--apiexportendpointslice-ref=databases',
        '--agent-name=databases-agent',
        '--published-resource-selector=team=databases',
        '--enable-leader-election=false',
        '--metrics-address=0.0.0.0:8085',
        '--health-address=0.0.0.0:8086',
        '--log-format=Console',
        '--log-debug',
      ],
      expected: {
        kcpKubeconfig: '/var/run/secrets/kcp/kubeconfig',
        namespace: 'kcp-system',
        apiExportEndpointSliceRef: 'databases',
        apiExportRef: 'databases',
        agentName: 'databases-agent',
        publishedResourceSelector: 'team=databases',
        enableLeaderElection: false,
        metricsAddress: '0.0.0.0:8085',
        healthAddress: '0.0.0.0:8086',
        logFormat: 'Console',
        logDebug: true,
      },
    },
    {
      name: 'defaults: agent name from the slice, metrics on 127.0.0.1:8085, no health server, no leader election, JSON logs',
      argv: REQUIRED,
      expected: {
        kubeconfig: undefined,
        apiExportEndpointSliceRef: 'example-slice',
        apiExportRef: 'example-slice',
        agentName: 'example-slice-syncagent',
        publishedResourceSelector: '',
        enableLeaderElection: false,
        metricsAddress: '127.0.0.1:8085',
        healthAddress: undefined,
        disabledControllers: [],
        logFormat: 'JSON',
        logDebug: false,
        kcpQps: 200,
        kcpBurst: 400,
        serviceQps: 200,
        serviceBurst: 400,
        syncWorkers: 64,
      },
    },
    {
      name: 'flag values may follow as the next argument',
      argv: [
        '--kcp-kubeconfig',
        'kcp.yaml',
        '--namespace',
        'agents',
        '--apiexport-ref',
        'crontabs',
        '--kubeconfig',
        'service.yaml',
      ],
      expected: {
        kcpKubeconfig: 'kcp.yaml',
        namespace: 'agents',
        kubeconfig: 'service.yaml',
        apiExportRef: 'crontabs',
        apiExportEndpointSliceRef: 'crontabs',
        agentName: 'crontabs-syncagent',
      },
    },
    {
      name: 'a bare boolean flag means true, and the last of repeated flags wins',
      argv: [...REQUIRED, '--enable-leader-election', '--agent-name=first', '--agent-name=second'],
      expected: { enableLeaderElection: true, agentName: 'second' },
    },
    {
      name: 'namespace cleanup is on by default',
      argv: REQUIRED,
      expected: { namespaceCleanup: true },
    },
    {
      name: '--namespace-cleanup=false keeps the namespaces the agent created',
      argv: [...REQUIRED, '--namespace-cleanup=false'],
      expected: { namespaceCleanup: false },
    },
    {
      name: '--disabled-controllers may be repeated and comma-separated',
      argv: [...REQUIRED, '--disabled-controllers=apiexport', '--disabled-controllers', 'sync, apiresourceschema'],
      expected: { disabledControllers: ['apiexport', 'sync', 'apiresourceschema'] },
    },
    {
      name: 'an address of 0 disables the server',
      argv: [...REQUIRED, '--metrics-address=0', '--health-address=0'],
      expected: { metricsAddress: undefined, healthAddress: undefined },
    },
    {
      name: 'rate limits and workers are numbers',
      argv: [...REQUIRED, '--kcp-qps=0', '--kcp-burst=10', '--service-qps=50.5', '--sync-workers=4'],
      expected: { kcpQps: 0, kcpBurst: 10, serviceQps: 50.5, syncWorkers: 4 },
    },
    {
      name: 'an export and a slice may be named separately',
      argv: ['--kcp-kubeconfig=k', '--namespace=ns', '--apiexportendpointslice-ref=slice', '--apiexport-ref=export'],
      expected: { apiExportEndpointSliceRef: 'slice', apiExportRef: 'export', agentName: 'slice-syncagent' },
    },
  ];

  for (const c of cases) {
    it(c.name, function () {
      const options = parseOptions(c.argv);
      const { disabledControllers, ...rest } = c.expected;
      expect(options).to.deep.include(rest);
      if (disabledControllers !== undefined)
        expect([...options.disabledControllers]).to.deep.equal(disabledControllers);
    });
  }

  it('returns a frozen object', function () {
    expect(Object.isFrozen(parseOptions(REQUIRED))).to.equal(true);
  });

  const errors: { name: string; argv: string[]; mentions: string }[] = [
    {
      name: '--kcp-kubeconfig is required',
      argv: ['--namespace=ns', '--apiexport-ref=e'],
      mentions: '--kcp-kubeconfig',
    },
    {
      name: 'an empty --kcp-kubeconfig counts as missing',
      argv: ['--kcp-kubeconfig=', '--namespace=ns', '--apiexport-ref=e'],
      mentions: '--kcp-kubeconfig',
    },
    { name: '--namespace is required', argv: ['--kcp-kubeconfig=k', '--apiexport-ref=e'], mentions: '--namespace' },
    {
      name: 'an invalid namespace name is refused',
      argv: ['--kcp-kubeconfig=k', '--namespace=Kcp_System', '--apiexport-ref=e'],
      mentions: '--namespace',
    },
    {
      name: 'an export or slice name is required',
      argv: ['--kcp-kubeconfig=k', '--namespace=ns'],
      mentions: '--apiexportendpointslice-ref',
    },
    {
      name: 'an agent name that is not a DNS-1035 label is refused',
      argv: [...REQUIRED, '--agent-name=1st.Agent'],
      mentions: '--agent-name',
    },
    {
      name: 'a slice name that makes an invalid default agent name is refused',
      argv: ['--kcp-kubeconfig=k', '--namespace=ns', '--apiexport-ref=9lives'],
      mentions: '--agent-name',
    },
    {
      name: 'an unknown controller is refused',
      argv: [...REQUIRED, '--disabled-controllers=apiexport,webhooks'],
      mentions: '--disabled-controllers',
    },
    { name: 'an unknown flag is refused', argv: [...REQUIRED, '--leader-elect'], mentions: '--leader-elect' },
    { name: 'a positional argument is refused', argv: [...REQUIRED, 'run'], mentions: 'run' },
    { name: 'a flag without its value is refused', argv: [...REQUIRED, '--agent-name'], mentions: '--agent-name' },
    {
      name: 'a metrics address without a port is refused',
      argv: [...REQUIRED, '--metrics-address=localhost'],
      mentions: '--metrics-address',
    },
    {
      name: 'a health address with a port out of range is refused',
      argv: [...REQUIRED, '--health-address=:70000'],
      mentions: '--health-address',
    },
    {
      name: 'a boolean flag with another value is refused',
      argv: [...REQUIRED, '--enable-leader-election=maybe'],
      mentions: '--enable-leader-election',
    },
    {
      name: 'one leader and split shards exclude each other',
      argv: [...REQUIRED, '--enable-leader-election', '--split-endpoints'],
      mentions: '--split-endpoints and --enable-leader-election',
    },
    { name: 'a negative rate limit is refused', argv: [...REQUIRED, '--kcp-qps=-1'], mentions: '--kcp-qps' },
    { name: 'zero sync workers are refused', argv: [...REQUIRED, '--sync-workers=0'], mentions: '--sync-workers' },
    { name: 'an unknown log format is refused', argv: [...REQUIRED, '--log-format=xml'], mentions: '--log-format' },
  ];

  for (const c of errors) {
    it(c.name, function () {
      expect(() => parseOptions(c.argv)).to.throw(OptionsError, c.mentions);
    });
  }
});
