// Which partitions each live member of a consumer group holds, as the group coordinator assigned
// them: how a fault test sees a rebalance finish.
import { AssignerProtocol, type Kafka } from 'kafkajs';

export async function memberAssignments(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<number[][]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return (groups[0]?.members ?? []).map((member) => {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      return [...(decoded?.assignment[topic] ?? [])].sort((a, b) => a - b);
    });
  } finally {
    await admin.disconnect();
  }
}
