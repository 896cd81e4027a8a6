import { WebhookSignature } from '@vsp/ingress';
import { TEST_SECRET, webhookBody } from '@vsp/ingress/testing';

/** POSTs a webhook (a new contract-shaped one unless given), signed with the test secret, to an ingress at `url`. */
export async function postWebhook(
  url: string,
  webhook: Record<string, unknown> = webhookBody(),
): Promise<{ status: number; task_id?: string }> {
  const body = JSON.stringify(webhook);
  const response = await fetch(`${url}/api/v1/webhooks/bakai`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-signature': WebhookSignature.sign(body, TEST_SECRET) },
    body,
  });
  return { status: response.status, ...((await response.json()) as { task_id?: string }) };
}
