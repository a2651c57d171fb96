/**
 * The CloudWatch agent's configuration on the hot-path host: ship the hot path's log file (pino JSON lines)
 * to its log group, one stream per instance. Pure.
 */

import { HOST_LAYOUT } from "./hostLayout.js";

export function cloudWatchAgentConfig(logGroupName: string): string {
  return JSON.stringify(
    {
      agent: {
        run_as_user: "root",
        logfile: "/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log",
      },
      logs: {
        // Short flushes: an incident's last lines should reach CloudWatch before someone looks.
        force_flush_interval: 5,
        logs_collected: {
          files: {
            collect_list: [
              {
                file_path: HOST_LAYOUT.logFile,
                log_group_name: logGroupName,
                log_stream_name: "{instance_id}",
                // The group (retention, encryption) belongs to the stack, not to the agent.
                retention_in_days: -1,
              },
            ],
          },
        },
      },
    },
    null,
    2,
  );
}
