/// The schema, in order. Append only; see `Migration`.
public enum Migrations {
    public static let all: [Migration] = [
        .m0001IdempotencyKeys,
        .m0002LendersAndUsers,
        .m0003AuditLog,
        .m0004APIClients,
        .m0005WebSessionsAndMFA,
        .m0006Clients,
        .m0007Products,
        .m0008LoansAndLedger,
        .m0009JournalLinesWithoutLoanIndex,
        .m0010GatewayEvents,
        .m0011PaymentIntents,
        .m0012GatewaySettings,
        .m0013CardMandates,
        .m0014OneRecurringChargeInFlight,
        .m0015AuditHashNotIndexed,
        .m0016CardSetups,
        .m0017BankStatements,
        .m0018LoanCLABEs,
        .m0019SPEI,
        .m0020BankBalances,
        .m0021BankBalanceChecks,
        .m0022EndOfDayClose,
        .m0023CollectionMessages,
        .m0024ReportSubscriptions,
    ]
}
