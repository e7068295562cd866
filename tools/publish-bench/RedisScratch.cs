using StackExchange.Redis;

namespace PublishBench;

/// <summary>Removes what a bench run left in Redis, so that runs do not pile up hundreds of thousands of orders each.</summary>
internal static class RedisScratch
{
    public static async Task DeleteKeysAsync(string configuration, string keyPrefix)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var database = redis.GetDatabase();
        foreach (var endPoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endPoint);
            if (server.IsReplica)
            {
                continue;
            }

            var batch = new List<RedisKey>();
            await foreach (var key in server.KeysAsync(pattern: keyPrefix + "*", pageSize: 1000))
            {
                batch.Add(key);
                if (batch.Count == 1000)
                {
                    await database.KeyDeleteAsync([.. batch]);
                    batch.Clear();
                }
            }

            await database.KeyDeleteAsync([.. batch]);
        }
    }
}
