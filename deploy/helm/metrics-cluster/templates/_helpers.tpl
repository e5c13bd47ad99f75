{{/*
Names and labels. Every object is named <fullname>-<component>; selectors use name, instance and component.
*/}}
{{- define "mc.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mc.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mc.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The name of a component's objects: (dict "ctx" $ "component" "ingester") */}}
{{- define "mc.resourceName" -}}
{{- printf "%s-%s" (include "mc.fullname" .ctx) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of a component: (dict "ctx" $ "component" "ingester") */}}
{{- define "mc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mc.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* All labels of a component's objects: (dict "ctx" $ "component" "ingester") */}}
{{- define "mc.labels" -}}
helm.sh/chart: {{ include "mc.chart" .ctx }}
{{ include "mc.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- if .partOf }}
app.kubernetes.io/part-of: metrics-cluster
{{- end }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "mc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mc.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "mc.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The Secret and key holding the ring store's connection string. */}}
{{- define "mc.ringSecretName" -}}
{{- if not (has .Values.ring.store (list "postgres" "azure")) -}}
{{- fail (printf "ring.store must be postgres or azure, not %q (memory is a single process, not a cluster)" .Values.ring.store) -}}
{{- end -}}
{{- $store := index .Values.ring .Values.ring.store -}}
{{- if and (eq .Values.ring.store "postgres") .Values.postgresql.enabled -}}
{{- include "mc.resourceName" (dict "ctx" . "component" "ring") -}}
{{- else if $store.existingSecret.name -}}
{{- $store.existingSecret.name -}}
{{- else -}}
{{- include "mc.resourceName" (dict "ctx" . "component" "ring") -}}
{{- end -}}
{{- end -}}

{{- define "mc.ringSecretKey" -}}
{{- $store := index .Values.ring .Values.ring.store -}}
{{- if and (eq .Values.ring.store "postgres") .Values.postgresql.enabled -}}
connection-string
{{- else if $store.existingSecret.name -}}
{{- $store.existingSecret.key -}}
{{- else -}}
connection-string
{{- end -}}
{{- end -}}

{{/* Whether the chart makes the ring Secret itself. */}}
{{- define "mc.ringSecretCreated" -}}
{{- $store := index .Values.ring .Values.ring.store -}}
{{- if or (and (eq .Values.ring.store "postgres") .Values.postgresql.enabled) (not $store.existingSecret.name) -}}true{{- end -}}
{{- end -}}

{{/* S3 credentials: the Secret name, or empty when the SDK's default chain is used. */}}
{{- define "mc.s3SecretName" -}}
{{- $s3 := .Values.blocksStorage.s3 -}}
{{- if $s3.existingSecret.name -}}
{{- $s3.existingSecret.name -}}
{{- else if or $s3.accessKeyId $s3.secretAccessKey -}}
{{- include "mc.resourceName" (dict "ctx" . "component" "s3") -}}
{{- end -}}
{{- end -}}

{{/*
The one configuration file every component reads (--config.file). Keys are the binary's flags with dots as nesting
and dashes as underscores (README, "Configuration reference"); structuredConfig is merged over them.
*/}}
{{- define "mc.config" -}}
{{- $v := .Values -}}
{{- $storage := dict "backend" $v.blocksStorage.backend -}}
{{- if eq $v.blocksStorage.backend "filesystem" -}}
{{- $_ := set $storage "filesystem" (dict "dir" "/shared/blocks") -}}
{{- else if eq $v.blocksStorage.backend "s3" -}}
{{- $s3 := dict "bucket_name" (required "blocksStorage.s3.bucketName is required with the s3 backend" $v.blocksStorage.s3.bucketName) "region" $v.blocksStorage.s3.region "insecure" $v.blocksStorage.s3.insecure "force_path_style" $v.blocksStorage.s3.forcePathStyle -}}
{{- if $v.blocksStorage.s3.endpoint -}}
{{- $_ := set $s3 "endpoint" $v.blocksStorage.s3.endpoint -}}
{{- end -}}
{{- $_ := set $storage "s3" $s3 -}}
{{- else -}}
{{- fail (printf "blocksStorage.backend must be filesystem or s3, not %q" $v.blocksStorage.backend) -}}
{{- end -}}
{{- $config := dict
  "server" (dict "http_listen_port" $v.server.httpPort "rpc_listen_port" $v.server.rpcPort)
  "data" (dict "dir" "/data")
  "auth" (dict "multitenancy_enabled" $v.multitenancyEnabled)
  "log" (dict "level" $v.server.logLevel "format" $v.server.logFormat)
  "ring" (dict "store" $v.ring.store "heartbeat_period" $v.ring.heartbeatPeriod "heartbeat_timeout" $v.ring.heartbeatTimeout)
  "ingester" (dict "replication_factor" $v.ingester.replicationFactor "max_global_series_per_user" $v.limits.maxGlobalSeriesPerUser)
  "store_gateway" (dict "sharding_ring" (dict "replication_factor" $v.storeGateway.replicationFactor))
  "distributor" (dict "ingestion_rate_limit" $v.limits.ingestionRateLimit "ingestion_burst_size" $v.limits.ingestionBurstSize)
  "compactor" (dict "blocks_retention_period" $v.limits.compactorBlocksRetentionPeriod)
  "blocks_storage" $storage
-}}
{{- toYaml (mergeOverwrite $config (deepCopy $v.structuredConfig)) -}}
{{- end -}}

{{/*
The container of a component. (dict "ctx" $ "component" "ingester" "values" .Values.ingester "target" "ingester"
"zone" "zone-a" "bucket" true "extraArgs" (list ...))
*/}}
{{- define "mc.container" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
- name: {{ .component }}
  image: {{ include "mc.image" $ctx }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  args:
    - --target={{ .target }}
    - --config.file=/etc/metrics-cluster/config/config.yaml
    # Per pod: its name is its ring instance id and Orleans silo name (stable for StatefulSet pods), its IP the
    # address the other silos call.
    - --ring.instance-id=$(POD_NAME)
    - --ring.instance-addr=$(POD_IP)
    - --ring.{{ $v.ring.store }}.connection-string=$(MC_RING_CONNECTION_STRING)
    {{- with .zone }}
    - --ring.zone={{ . }}
    {{- end }}
    {{- if $v.runtimeConfig.passFlag }}
    - --runtime-config.file=/etc/metrics-cluster/runtime/runtime.yaml
    {{- end }}
    {{- range .extraArgs }}
    - {{ . | quote }}
    {{- end }}
    {{- range $key, $value := .values.extraArgs }}
    - {{ printf "--%s=%v" $key $value | quote }}
    {{- end }}
  env:
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    - name: POD_IP
      valueFrom:
        fieldRef:
          fieldPath: status.podIP
    - name: MC_RING_CONNECTION_STRING
      valueFrom:
        secretKeyRef:
          name: {{ include "mc.ringSecretName" $ctx }}
          key: {{ include "mc.ringSecretKey" $ctx }}
    {{- if and .bucket (eq $v.blocksStorage.backend "s3") (include "mc.s3SecretName" $ctx) }}
    {{- $s3 := $v.blocksStorage.s3 }}
    - name: AWS_ACCESS_KEY_ID
      valueFrom:
        secretKeyRef:
          name: {{ include "mc.s3SecretName" $ctx }}
          key: {{ if $s3.existingSecret.name }}{{ $s3.existingSecret.accessKeyIdKey }}{{ else }}AWS_ACCESS_KEY_ID{{ end }}
    - name: AWS_SECRET_ACCESS_KEY
      valueFrom:
        secretKeyRef:
          name: {{ include "mc.s3SecretName" $ctx }}
          key: {{ if $s3.existingSecret.name }}{{ $s3.existingSecret.secretAccessKeyKey }}{{ else }}AWS_SECRET_ACCESS_KEY{{ end }}
    {{- end }}
    {{- with .values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: http-metrics
      containerPort: {{ $v.server.httpPort }}
      protocol: TCP
    - name: rpc
      containerPort: {{ $v.server.rpcPort }}
      protocol: TCP
  # /ready answers 200 once the component serves (an ingester: after its WAL replay, once ACTIVE in the ring) and
  # 503 while it shuts down. No liveness probe, as in Mimir's chart: a long WAL replay must not get the pod killed.
  readinessProbe:
    httpGet:
      path: /ready
      port: http-metrics
    initialDelaySeconds: 5
    periodSeconds: 5
    timeoutSeconds: 2
    failureThreshold: 3
  resources:
    {{- toYaml .values.resources | nindent 4 }}
  securityContext:
    {{- toYaml $v.containerSecurityContext | nindent 4 }}
  volumeMounts:
    - name: config
      mountPath: /etc/metrics-cluster/config
      readOnly: true
    - name: runtime-config
      mountPath: /etc/metrics-cluster/runtime
      readOnly: true
    - name: data
      mountPath: /data
    - name: tmp
      mountPath: /tmp
    {{- if and .bucket (eq $v.blocksStorage.backend "filesystem") }}
    - name: shared-bucket
      mountPath: /shared
    {{- end }}
{{- end -}}

{{/* The pod volumes every component has (config, runtime config, /tmp, the shared bucket when it uses it). */}}
{{- define "mc.volumes" -}}
- name: config
  configMap:
    name: {{ include "mc.resourceName" (dict "ctx" .ctx "component" "config") }}
    items:
      - key: config.yaml
        path: config.yaml
- name: runtime-config
  configMap:
    name: {{ include "mc.resourceName" (dict "ctx" .ctx "component" "runtime") }}
- name: tmp
  emptyDir: {}
{{- if and .bucket (eq .ctx.Values.blocksStorage.backend "filesystem") }}
- name: shared-bucket
  persistentVolumeClaim:
    claimName: {{ include "mc.resourceName" (dict "ctx" .ctx "component" "shared-bucket") }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by every component: (dict "ctx" $ "values" .Values.ingester) */}}
{{- define "mc.podSpecCommon" -}}
serviceAccountName: {{ include "mc.serviceAccountName" .ctx }}
automountServiceAccountToken: {{ .ctx.Values.serviceAccount.automountServiceAccountToken }}
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .ctx.Values.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ .values.terminationGracePeriodSeconds }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Topology spread constraints with this component's selector filled in: (dict "ctx" $ "component" "x" "values" v "extraLabels" dict) */}}
{{- define "mc.topologySpread" -}}
{{- $sel := include "mc.selectorLabels" . | fromYaml -}}
{{- range $k, $val := (.extraLabels | default dict) }}{{ $_ := set $sel $k $val }}{{ end -}}
{{- $out := list -}}
{{- range .values.topologySpreadConstraints -}}
{{- $c := deepCopy . -}}
{{- if not (hasKey $c "labelSelector") -}}
{{- $_ := set $c "labelSelector" (dict "matchLabels" $sel) -}}
{{- end -}}
{{- $out = append $out $c -}}
{{- end -}}
{{- with .zoneConstraint }}{{ $out = append $out . }}{{ end -}}
{{- if $out }}
topologySpreadConstraints:
  {{- toYaml $out | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Checksum annotations so that a config change rolls the pods. */}}
{{- define "mc.podAnnotations" -}}
checksum/config: {{ include "mc.config" .ctx | sha256sum }}
{{- with .ctx.Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* A volumeClaimTemplate or PVC spec: (dict "persistence" .Values.ingester.persistence) */}}
{{- define "mc.pvcSpec" -}}
accessModes:
  {{- toYaml .persistence.accessModes | nindent 2 }}
{{- with .persistence.storageClass }}
storageClassName: {{ . | quote }}
{{- end }}
resources:
  requests:
    storage: {{ .persistence.size }}
{{- end -}}

{{/*
With the bundled PostgreSQL, wait for it before starting: a silo that cannot reach the membership store within
15 s exits, so without this every pod would crash-loop until PostgreSQL is up.
*/}}
{{- define "mc.initContainers" -}}
{{- $v := .ctx.Values -}}
{{- if and $v.postgresql.enabled (eq $v.ring.store "postgres") }}
initContainers:
  - name: wait-for-postgresql
    image: {{ printf "%s:%s" $v.postgresql.image.repository $v.postgresql.image.tag }}
    imagePullPolicy: {{ $v.postgresql.image.pullPolicy }}
    command: ["sh", "-c", "until pg_isready -h {{ include "mc.resourceName" (dict "ctx" .ctx "component" "postgresql") }} -p 5432; do echo waiting for postgresql; sleep 2; done"]
    resources:
      requests: {cpu: 10m, memory: 16Mi}
      limits: {memory: 64Mi}
    securityContext:
      {{- toYaml $v.containerSecurityContext | nindent 6 }}
{{- end }}
{{- end -}}

{{/*
Whether the query-frontend runs: queryFrontend.enabled when it is true or false, else on unless
blocksStorage.backend is filesystem (the one-node try-out install, where the querier is queried directly).
Non-empty means yes.
*/}}
{{- define "mc.queryFrontendEnabled" -}}
{{- $e := .Values.queryFrontend.enabled -}}
{{- if kindIs "bool" $e -}}
{{- if $e }}true{{ end -}}
{{- else if ne .Values.blocksStorage.backend "filesystem" -}}
true
{{- end -}}
{{- end -}}
