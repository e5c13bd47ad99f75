{{/*
A stateless component's Deployment: (dict "ctx" $ "component" "distributor" "values" .Values.distributor
"bucket" false "extraArgs" (list))
*/}}
{{- define "mc.deployment" -}}
{{- $ctx := .ctx -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "mc.resourceName" . }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "mc.labels" . | nindent 4 }}
spec:
  replicas: {{ .values.replicas }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "mc.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "mc.labels" (merge (dict "partOf" true) .) | nindent 8 }}
        {{- with $ctx.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- include "mc.podAnnotations" . | nindent 8 }}
    spec:
      {{- include "mc.podSpecCommon" . | nindent 6 }}
      {{- with include "mc.topologySpread" . | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      {{- with include "mc.initContainers" . | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      containers:
        {{- include "mc.container" (merge (dict "target" .component) .) | nindent 8 }}
      volumes:
        {{- include "mc.volumes" . | nindent 8 }}
        - name: data
          emptyDir: {}
{{- end -}}

{{/*
A stateful component's StatefulSet: (dict "ctx" $ "component" "ingester" "values" .Values.ingester "bucket" true
"name" "<object name>" "zone" "zone-a" "replicas" 3 "extraSelector" (dict ...) "nodeSelector" (dict ...))
*/}}
{{- define "mc.statefulset" -}}
{{- $ctx := .ctx -}}
{{- $extra := .extraSelector | default dict -}}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .name | default (include "mc.resourceName" .) }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "mc.labels" . | nindent 4 }}
    {{- with $extra }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  replicas: {{ .replicas | default .values.replicas }}
  # Pods start and stop together (an ingester's WAL replay does not wait for its neighbours); rolling updates still
  # replace one pod at a time and wait for /ready.
  podManagementPolicy: Parallel
  serviceName: {{ include "mc.resourceName" (dict "ctx" $ctx "component" (printf "%s-headless" .component)) }}
  revisionHistoryLimit: 5
  updateStrategy:
    type: RollingUpdate
  selector:
    matchLabels:
      {{- include "mc.selectorLabels" . | nindent 6 }}
      {{- with $extra }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  volumeClaimTemplates:
    - apiVersion: v1
      kind: PersistentVolumeClaim
      metadata:
        name: data
      spec:
        {{- include "mc.pvcSpec" (dict "persistence" .values.persistence) | nindent 8 }}
  template:
    metadata:
      labels:
        {{- include "mc.labels" (merge (dict "partOf" true) .) | nindent 8 }}
        {{- with $extra }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with $ctx.Values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        {{- include "mc.podAnnotations" . | nindent 8 }}
    spec:
      {{- $values := .values }}
      {{- if .nodeSelector }}
      {{- $values = merge (dict "nodeSelector" (merge (deepCopy .nodeSelector) (.values.nodeSelector | default dict))) (omit .values "nodeSelector") }}
      {{- end }}
      {{- include "mc.podSpecCommon" (dict "ctx" $ctx "values" $values) | nindent 6 }}
      {{- with include "mc.topologySpread" (merge (dict "extraLabels" $extra) .) | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      {{- with include "mc.initContainers" . | trim }}
      {{- . | nindent 6 }}
      {{- end }}
      containers:
        {{- include "mc.container" (merge (dict "target" .component) .) | nindent 8 }}
      volumes:
        {{- include "mc.volumes" . | nindent 8 }}
{{- end -}}

{{/* The ClusterIP Service of a component: (dict "ctx" $ "component" "distributor" "values" .Values.distributor) */}}
{{- define "mc.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "mc.resourceName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "mc.labels" (merge (dict "partOf" true) .) | nindent 4 }}
  {{- with .values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .values.service.type }}
  ports:
    - name: http-metrics
      port: {{ .ctx.Values.server.httpPort }}
      targetPort: http-metrics
      protocol: TCP
  selector:
    {{- include "mc.selectorLabels" . | nindent 4 }}
{{- end -}}

{{/*
The headless Service of a StatefulSet (its pods' DNS names; the ServiceMonitor scrapes through it):
(dict "ctx" $ "component" "ingester")
*/}}
{{- define "mc.headlessService" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "mc.resourceName" (dict "ctx" .ctx "component" (printf "%s-headless" .component)) }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "mc.labels" (merge (dict "partOf" true) .) | nindent 4 }}
spec:
  type: ClusterIP
  clusterIP: None
  # Pods are listed before they are ready: the silos find each other through the membership table anyway, and
  # the names must resolve while an ingester replays its WAL.
  publishNotReadyAddresses: true
  ports:
    - name: http-metrics
      port: {{ .ctx.Values.server.httpPort }}
      targetPort: http-metrics
      protocol: TCP
    - name: rpc
      port: {{ .ctx.Values.server.rpcPort }}
      targetPort: rpc
      protocol: TCP
  selector:
    {{- include "mc.selectorLabels" . | nindent 4 }}
{{- end -}}

{{/* A PodDisruptionBudget: (dict "ctx" $ "component" "ingester" "values" .Values.ingester) */}}
{{- define "mc.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "mc.resourceName" . }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "mc.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .values.podDisruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "mc.selectorLabels" . | nindent 6 }}
{{- end -}}
