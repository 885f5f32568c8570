import { resolve } from 'node:path';

/**
 * The folders of the gateway pod that routes may name files in (router
 * folders, collaboration policies, calibration prompts, ONNX models,
 * tokenizer.json files): the operator's models volume (`SWITCHBOARD_MODELS`,
 * the chart's `models.mountPath`) and the image's `models/` folder (the
 * shipped routers, where `router: NAME` is looked up). Every file a route
 * names must resolve inside one of them, symlinks followed; nothing else of
 * the pod's filesystem (its ServiceAccount token, its keys, /dev/zero) is a
 * route author's to read. See @switchboard/gateway's runtime/route-files.ts.
 */
export function podModelDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const dirs = [env.SWITCHBOARD_MODELS?.trim(), 'models'].filter((d): d is string => !!d).map((d) => resolve(d));
  return [...new Set(dirs)];
}
